package stack

import (
	"fmt"
	"slices"
	"strings"
	"text/template"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// Vars are the concrete values a fix is rendered with.
type Vars struct {
	// Domain is the registrable domain the backend and the app share,
	// e.g. acme.test; DefaultVars has your-domain.com.
	Domain string
	// StaleHost, StaleDomain and StalePath describe the leftover cookie of
	// COOKIE_DUPLICATE: the host it lives on, its Domain attribute ("" for
	// host-only) and its Path.
	StaleHost   string
	StaleDomain string
	StalePath   string
}

// DefaultVars are the placeholders a fix is shown with when nothing
// concrete is known (mfconform explain, the report's catalogue).
func DefaultVars() Vars {
	return Vars{Domain: "your-domain.com", StaleHost: "app.your-domain.com", StalePath: "/"}
}

// Role returns which role's stack a code's fix is written for: the app's
// for the verifier codes, the backend's for everything else.
func Role(code diag.Code) string {
	if strings.HasPrefix(string(code), "APP_") {
		return RoleApp
	}
	return RoleBackend
}

// rule builds one code's fix from a stack's idiom; it returns false when
// the idiom has nothing specific to say.
type rule func(i idiom) (string, bool)

// with is a rule: lead, then the snippet, then the stack's notes under
// the given keys.
func with(lead func(idiom) string, snippet func(idiom) string, notes ...string) rule {
	return func(i idiom) (string, bool) {
		var b strings.Builder
		b.WriteString(lead(i))
		if s := snippet(i); s != "" {
			b.WriteString("\n" + s)
		}
		for _, n := range notes {
			if t := i.Notes[n]; t != "" {
				b.WriteString("\nNote: " + t)
			}
		}
		return b.String(), true
	}
}

func text(s string) func(idiom) string { return func(idiom) string { return s } }
func setCookie(i idiom) string         { return i.SetCookie }
func encode(i idiom) string            { return i.Encode }
func verify(i idiom) string            { return i.Verify }
func attr(name string) func(idiom) string {
	return func(i idiom) string { return i.Attr[name] }
}
func lead(format string, attrs ...string) func(idiom) string {
	return func(i idiom) string {
		args := make([]any, len(attrs))
		for k, a := range attrs {
			args[k] = i.Attr[a]
		}
		return fmt.Sprintf(format, args...)
	}
}

// rules is the fix table: for each code that has a fix in a stack's
// idiom, how to build it. Every idiom yields a row for every code here
// (see Table); codes not here keep the catalogue's generic fix.
var rules = map[diag.Code]rule{
	diag.CookieNotSet: with(text("Set the cookie by its exact name on the response that finishes the login:"), setCookie, noteResponse),
	diag.CookieNotStored: with(text("Write the cookie with exactly these attributes:"), setCookie,
		noteDomain, noteSameSite),
	diag.CookieNotSent:       with(text("Write the cookie with exactly these attributes and serve the app over https:"), setCookie),
	diag.CookieHostOnly:      with(lead("Pass the domain both hosts share (%s):", "domain"), setCookie, noteDomain),
	diag.CookieDomainInvalid: with(lead("Set the domain to the registrable domain the login host belongs to and the app shares (%s), never a public suffix or a domain the login host is not under:", "domain"), setCookie, noteDomain),
	diag.CookieNotSecure:     with(lead("Add %s and serve the login over https:", "secure"), setCookie),
	diag.CookieSameSiteNoneInsecure: with(lead("Add %s next to %s:", "secure", "samesite"), setCookie,
		noteSameSite),
	diag.CookieSameSiteNotNone: with(lead("Pass %s together with %s:", "samesite", "secure"), setCookie, noteSameSite),
	diag.CookieNotHTTPOnly:     with(lead("Add %s (Miiflow reads the cookie server-side):", "httponly"), setCookie),
	diag.CookiePathRestricted:  with(lead("Pass %s explicitly:", "path"), setCookie),
	diag.CookieExpiredOnArrival: with(lead("Give the cookie a lifetime in the future as long as the token's (%s), or none for a session cookie:", "maxage"),
		setCookie, noteMaxAge),
	diag.CookiePartitioned: with(lead("Remove %s from the call, keeping the rest:", "partitioned"), setCookie),
	diag.CookieDuplicate:   duplicateRule,

	diag.TokenMalformed:       with(text("Put exactly the string the library returns into the cookie:"), func(i idiom) string { return i.Encode + "\n" + i.SetCookie }, noteValue),
	diag.TokenAlgNotHS256:     with(text("Sign with HS256 and AUTH_SECRET_KEY:"), encode),
	diag.TokenExpired:         with(text("Issue a fresh token at login, exp one hour ahead in UTC seconds, and refresh it before it expires:"), encode, noteExp),
	diag.TokenExpMilliseconds: with(text("exp is seconds since the epoch, not milliseconds:"), encode, noteExp),
	diag.TokenExpMicroseconds: with(text("exp is seconds since the epoch, not microseconds:"), encode, noteExp),
	diag.TokenExpNanoseconds:  with(text("exp is seconds since the epoch, not nanoseconds:"), encode, noteExp),
	diag.TokenValueQuoted:     with(text("Put exactly the string the library returns into the cookie, without quotes:"), func(i idiom) string { return i.Encode + "\n" + i.SetCookie }, noteValue),
	diag.TokenExpMissing:      with(text("Add exp, one hour ahead in UTC seconds:"), encode, noteExp),
	diag.TokenExpNotNumeric:   with(text("Write exp as a number of seconds, not a string:"), encode, noteExp),
	diag.TokenExpTimezone:     with(text("Compute exp from an aware UTC time or epoch seconds, never from a naive local datetime:"), encode, noteExp),
	diag.TokenLifetimeLong:    with(text("Issue short-lived tokens (here one hour) and refresh them while the user is active:"), encode, noteExp),
	diag.TokenUserIDMissing:   with(text("Put the user's id in user_id, as a string:"), encode),
	diag.TokenUserIDNotString: with(text("Write user_id as a non-empty string:"), encode),
	diag.TokenSecretEncoding:  with(text("Use AUTH_SECRET_KEY's bytes as they are on both sides:"), encode, noteKey),

	diag.AppAcceptsAlgNone:       with(text("Verify every request with the algorithm pinned to HS256:"), verify, noteVerify),
	diag.AppAcceptsOtherAlg:      with(text("Allow exactly HS256:"), verify, noteVerify),
	diag.AppAcceptsBadSignature:  with(text("Verify the signature with AUTH_SECRET_KEY on every request:"), verify, noteVerify),
	diag.AppAcceptsExpired:       with(text("Check exp with a leeway of seconds:"), verify, noteVerify),
	diag.AppAcceptsMissingClaim:  with(text("Require exp and user_id:"), verify, noteVerify),
	diag.AppRejectsFractionalExp: with(text("Let the library read exp (any JSON number is a NumericDate):"), verify),
	diag.AppServerError:          with(text("Treat every decode error as a signed-out user (401), never a 500:"), verify, noteVerify),
}

// duplicateRule expires the stale cookie. A host-only leftover can only
// be expired by a response from its own host.
func duplicateRule(i idiom) (string, bool) {
	lead := "Expire the stale cookie with the Domain and Path it was set with " +
		"(Set-Cookie: mf_jwt_token=; {{if .StaleDomain}}Domain={{.StaleDomain}}; {{end}}Path={{.StalePath}}; Max-Age=0; Secure; HttpOnly; SameSite=None)" +
		"{{if not .StaleDomain}} from {{.StaleHost}}: it is host-only, so only a response from that host can (the proxy in front of the app, or the service that once set it){{end}}, then stop setting it:"
	return lead + "\n" + i.Delete, true
}

// Codes returns the codes that have a fix in some stack's idiom, sorted.
func Codes() []diag.Code {
	var out []diag.Code
	for c := range rules {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Fix returns code's fix in stack id's idiom, rendered with v, and false
// when the table has none (an unknown stack, a stack without idioms, a
// code without a rule).
func Fix(code diag.Code, id ID, v Vars) (string, bool) {
	i, ok := idioms[id]
	if !ok {
		return "", false
	}
	r, ok := rules[code]
	if !ok {
		return "", false
	}
	t, ok := r(i)
	if !ok {
		return "", false
	}
	return render(t, v), true
}

// Snippet returns one of a stack's snippets ("set_cookie", "delete",
// "encode", "verify") rendered with v, for the tests that run them.
func Snippet(id ID, kind string, v Vars) (string, bool) {
	i, ok := idioms[id]
	if !ok {
		return "", false
	}
	s := map[string]string{"set_cookie": i.SetCookie, "delete": i.Delete, "encode": i.Encode, "verify": i.Verify}[kind]
	return render(s, v), s != ""
}

// render executes a fix template; the templates are constants, so an
// error is a programming error the tests catch.
func render(t string, v Vars) string {
	tpl, err := template.New("fix").Option("missingkey=error").Parse(t)
	if err != nil {
		panic("stack: bad fix template: " + err.Error())
	}
	var b strings.Builder
	if err := tpl.Execute(&b, v); err != nil {
		panic("stack: bad fix template: " + err.Error())
	}
	return b.String()
}

// Fixes returns code's fix in every stack that has one, rendered with v,
// in the order of All.
func Fixes(code diag.Code, v Vars) []result.StackFix {
	var out []result.StackFix
	for _, s := range stacks {
		if f, ok := Fix(code, s.ID, v); ok {
			out = append(out, result.StackFix{Stack: string(s.ID), Name: s.Name, Fix: f})
		}
	}
	return out
}

// Entry returns code's catalogue entry with its per-stack fixes (shown
// with DefaultVars).
func Entry(code diag.Code) (result.Entry, bool) {
	e, ok := diag.Lookup(code)
	if !ok {
		return e, false
	}
	e.Fixes = Fixes(code, DefaultVars())
	return e, true
}

// Line returns code's fix in stack id's idiom as one line — the call that
// matters (Stack idiom's snippet for the code: the cookie call, the
// token's encode, the verifier's decode, the delete) — for a candidate
// when no stack clearly wins; false when the table has none.
func Line(code diag.Code, id ID, v Vars) (string, bool) {
	i, ok := idioms[id]
	if _, ruled := rules[code]; !ok || !ruled {
		return "", false
	}
	kind := lineKind(code)
	l := i.Lines[kind]
	if l == "" {
		s, _ := Snippet(id, kind, v)
		l, _, _ = strings.Cut(s, "\n")
		return l, l != ""
	}
	return render(l, v), true
}

// lineKind is the snippet a code's one-line fix is taken from.
func lineKind(code diag.Code) string {
	switch {
	case code == diag.CookieDuplicate:
		return "delete"
	case strings.HasPrefix(string(code), "COOKIE_"):
		return "set_cookie"
	case strings.HasPrefix(string(code), "APP_"):
		return "verify"
	}
	return "encode"
}

// FixFor is how a finding names the stack its fix is written for:
// the stack's name, and "as given" when the operator named it.
func FixFor(g result.StackGuess) string {
	if g.Confidence == result.ConfidenceGiven {
		return Name(ID(g.ID)) + ", as given"
	}
	return Name(ID(g.ID))
}

// Apply writes every finding's fix for the stack its role's guess names
// (the backend's for cookie and token codes, the app's for verifier
// codes), rendered with v:
//
//   - a stack the operator gave, or one that clearly won the scoring:
//     the fix in its idiom, named in FixFor;
//   - no clear winner but candidates: the generic fix, then one line per
//     candidate that has one, labelled as a guess with its clues, then
//     what would decide — never one candidate's idiom alone, so a guess
//     from the shape never replaces the generic fix;
//   - otherwise the generic fix.
//
// Findings without a row keep the generic fix.
func Apply(ds []diag.Diagnostic, guesses []result.StackGuess, v Vars) []diag.Diagnostic {
	if len(ds) == 0 {
		return ds
	}
	out := make([]diag.Diagnostic, len(ds))
	for k, d := range ds {
		out[k] = d
		for _, g := range guesses {
			if g.Role != Role(d.Code) {
				continue
			}
			if g.ID != string(Unknown) {
				if f, ok := Fix(d.Code, ID(g.ID), v); ok {
					out[k].Fix = f
					out[k].FixFor = FixFor(g)
				}
				continue
			}
			if lines := candidateLines(d.Code, g, v); lines != "" {
				out[k].Fix = d.Fix + "\n" + lines
			}
		}
	}
	return out
}

// candidateLines are one line per candidate stack with a line for code,
// each labelled a guess, and what would decide; "" when none has one.
func candidateLines(code diag.Code, g result.StackGuess, v Vars) string {
	var b strings.Builder
	n := 0
	for _, c := range g.Candidates {
		l, ok := Line(code, ID(c.ID), v)
		if !ok {
			continue
		}
		n++
		fmt.Fprintf(&b, "If the %s is %s (a guess, score %d): %s\n", g.Role, c.Name, c.Score, l)
	}
	if n == 0 {
		return ""
	}
	lead := "The stack is not known; the clues fit:\n"
	if len(g.Candidates) == 1 {
		lead = "The stack is not known; the clues fit one candidate:\n"
	}
	return lead + b.String() + "Not decided: " + strings.TrimPrefix(g.Decide, "what would decide — ") + "."
}
