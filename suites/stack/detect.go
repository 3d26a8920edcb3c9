package stack

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mfconform/mfconform/suites/result"
)

// Roles a guess is made for.
const (
	RoleBackend = "backend" // the login response that set mf_jwt_token
	RoleApp     = "app"     // the app's answers to the probes
)

// Flag returns the flag an operator names a role's stack with.
func Flag(role string) string {
	if role == RoleApp {
		return "--app-stack"
	}
	return "--backend-stack"
}

// Evidence is what one role's answers say about the software behind them.
type Evidence struct {
	// Headers are response headers by lower-case name.
	Headers map[string]string
	// Cookies are the names of the cookies the answers set.
	Cookies []string
	// SetCookie is the raw mf_jwt_token Set-Cookie line, "" when none.
	// Only its attribute names, their order and the case of the SameSite
	// value are read, and the names of its token's claims in order; no
	// value leaves Detect.
	SetCookie string
	// Given is the stack the operator named for this role (Flag), ""
	// when none: it is stated as given, with what the clues say beside it.
	Given ID
}

// scored is one stack's score and the clues it rests on.
type scored struct {
	id    ID
	score int
	clues []clue
	named bool // a kindNames clue names it
}

// score adds up each stack's clues (the scoring table) and returns the
// stacks with a positive score, best first, ties in the order of All.
func score(clues []clue) []scored {
	var out []scored
	for _, s := range stacks {
		c := scored{id: s.ID}
		for _, cl := range clues {
			if slices.Contains(cl.stacks, s.ID) {
				c.score += weight(cl.kind)
				c.clues = append(c.clues, cl)
				c.named = c.named || cl.kind == kindNames
			}
		}
		if c.score > 0 {
			// The strongest clue first: it is what a one-line summary shows.
			slices.SortStableFunc(c.clues, func(a, b clue) int { return weight(b.kind) - weight(a.kind) })
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b scored) int { return b.score - a.score })
	return out
}

// winner returns the stack that clearly wins: a score of at least
// clearScore, clearMargin above the next one.
func winner(ranked []scored) (scored, bool) {
	if len(ranked) == 0 || ranked[0].score < clearScore {
		return scored{}, false
	}
	if len(ranked) > 1 && ranked[0].score-ranked[1].score < clearMargin {
		return scored{}, false
	}
	return ranked[0], true
}

// Detect guesses the stack of one role from its evidence by scoring every
// clue (the scoring table): the stack is named only when one clearly
// wins — confidence header when a header or framework cookie names it,
// clues when independent weaker clues add up. Otherwise the guess is
// unknown, with the stacks the clues fit as candidates and the clue that
// would decide between them. An operator-given stack is stated as given.
// The guess always carries its evidence.
func Detect(role string, e Evidence) result.StackGuess {
	g := result.StackGuess{Role: role, ID: string(Unknown), Name: string(Unknown), Confidence: result.ConfidenceUnknown}
	clues, proxies := headerClues(e)
	shapeNote := ""
	if e.SetCookie != "" {
		sc, _, note := shapeClues(e.SetCookie)
		clues = append(clues, sc...)
		clues = append(clues, tokenClues(e.SetCookie)...)
		shapeNote = note
	} else if role == RoleBackend {
		shapeNote = "no mf_jwt_token Set-Cookie line to read a shape from"
	}
	ranked := score(clues)
	if e.Given != "" {
		return given(g, e.Given, ranked, clues)
	}
	if w, ok := winner(ranked); ok {
		g.ID, g.Name = string(w.id), Name(w.id)
		g.Confidence = result.ConfidenceClues
		if w.named {
			g.Confidence = result.ConfidenceHeader
		}
		for _, c := range w.clues {
			g.Evidence = append(g.Evidence, c.evidence)
		}
		for _, c := range clues {
			if !slices.Contains(c.stacks, w.id) {
				g.Evidence = append(g.Evidence, c.evidence+" — points to "+stackNames(c.stacks)+" instead; outscored")
			}
		}
		g.Evidence = appendNonEmpty(g.Evidence, shapeNote)
		g.Evidence = append(g.Evidence, proxies...)
		return g
	}
	for _, c := range clues {
		g.Evidence = append(g.Evidence, c.evidence)
	}
	g.Evidence = appendNonEmpty(g.Evidence, shapeNote)
	g.Evidence = append(g.Evidence, proxies...)
	if len(clues) == 0 && len(proxies) == 0 {
		g.Evidence = append(g.Evidence, "no Server, X-Powered-By or framework cookie names the software")
	}
	for _, c := range ranked {
		cand := result.StackCandidate{ID: string(c.id), Name: Name(c.id), Score: c.score}
		for _, cl := range c.clues {
			cand.Clues = append(cand.Clues, cl.evidence)
		}
		g.Candidates = append(g.Candidates, cand)
	}
	if len(g.Candidates) > 0 {
		g.Evidence = append(g.Evidence, fmt.Sprintf("no stack clearly wins (%s; a stack needs %d, %d above the next)", scores(ranked), clearScore, clearMargin))
		g.Decide = decide(role, ranked)
	}
	return g
}

// given states the operator's stack, with what the clues say beside it.
func given(g result.StackGuess, id ID, ranked []scored, clues []clue) result.StackGuess {
	g.ID, g.Name, g.Confidence = string(id), Name(id), result.ConfidenceGiven
	g.Evidence = append(g.Evidence, "named by the operator ("+Flag(g.Role)+" "+string(id)+"), not guessed")
	w, ok := winner(ranked)
	switch {
	case ok && w.id != id:
		g.Evidence = append(g.Evidence, "the answers' clues point to "+Name(w.id)+" instead: "+w.clues[0].evidence)
	case ok:
		g.Evidence = append(g.Evidence, "the answers' clues agree: "+w.clues[0].evidence)
	case len(ranked) > 0:
		g.Evidence = append(g.Evidence, "the answers' clues fit "+scores(ranked))
	case len(clues) == 0:
		g.Evidence = append(g.Evidence, "nothing in the answers names a stack")
	}
	return g
}

// scores lists candidates with their scores: "Express 4, Go net/http 4".
func scores(ranked []scored) string {
	var out []string
	for _, c := range ranked {
		out = append(out, fmt.Sprintf("%s %d", Name(c.id), c.score))
	}
	return strings.Join(out, ", ")
}

// decide says which clue would tell the candidates apart: what confirms
// each (Stack.Tells), or the operator's flag.
func decide(role string, ranked []scored) string {
	var tells, ids []string
	for _, c := range ranked {
		if s, ok := Lookup(c.id); ok && s.Tells != "" {
			tells = append(tells, s.Name+": "+s.Tells)
		}
		ids = append(ids, string(c.id))
	}
	return "what would decide — " + strings.Join(tells, "; ") + "; or name it: " + Flag(role) + " " + strings.Join(ids, "|")
}

func appendNonEmpty(xs []string, s string) []string {
	if s == "" {
		return xs
	}
	return append(xs, s)
}

// shown lists a line's attributes for evidence: names as written, with
// SameSite's value; never the cookie's value, a date or a domain.
func shown(line string) []string {
	names, sameSite, _ := attrs(line)
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n
		if strings.EqualFold(n, "samesite") && sameSite != "" {
			out[i] = n + "=" + result.CleanLine(sameSite)
		}
	}
	return out
}

func stackNames(ids []ID) string {
	var out []string
	for _, id := range ids {
		out = append(out, Name(id))
	}
	return strings.Join(out, ", ")
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "(none)"
	}
	return strings.Join(xs, ", ")
}

// String renders a guess on one line: "Flask (Werkzeug) (header):
// Server: Werkzeug/2.2.2 Python/3.11 (…)".
func String(g result.StackGuess) string {
	return fmt.Sprintf("%s (%s): %s", g.Name, g.Confidence, strings.Join(g.Evidence, "; "))
}

// Telling reports whether a response header (lower-case name) can tell
// the software that answered: the headers Detect reads.
func Telling(name string) bool {
	switch name {
	case "server", "x-powered-by", "x-aspnet-version", "x-runtime", "keep-alive", "etag":
		return true
	}
	return strings.HasPrefix(name, "x-nextjs-")
}
