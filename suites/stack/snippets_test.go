package stack

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/reference"
	"github.com/mfconform/mfconform/suites/cookieattr"
	"github.com/mfconform/mfconform/suites/jwtcheck"
)

// testSecret is AUTH_SECRET_KEY in the snippet programs' environment.
const testSecret = "snippet-test-secret-5Xq9Lw2Rv7Ny1Mb4Kc8Jf3Pd6Tg0Hs"

// testVars render the snippets for the reference deployment's hosts.
var testVars = Vars{Domain: "acme.test", StaleHost: "app.acme.test", StalePath: "/"}

// TestSnippetsPassTheReferenceVerifier runs every runnable stack's
// snippets, exactly as the fix table shows them, in a program of that
// stack: the cookie its SetCookie writes must pass the cookie specs'
// checks, the token its Encode signs must pass the reference verifier and
// the token checks, the Set-Cookie line must be recognised as that stack,
// its Delete must expire the stale cookie it names, and its Verify must
// judge every probe token as the contract says.
func TestSnippetsPassTheReferenceVerifier(t *testing.T) {
	for _, s := range All() {
		if !s.Runnable {
			continue
		}
		t.Run(string(s.ID), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), programTimeout)
			defer cancel()
			b := buildProgram(ctx, t, s.ID, testVars)

			login := b.answerOf(ctx, t, "login")
			line := checkLoginCookie(t, login)
			checkToken(t, cookieattr.Parse(line).Value)
			checkDetected(t, s.ID, login, line)

			checkDelete(ctx, t, s.ID, b, testVars, "")
			stale := Vars{Domain: "acme.test", StaleHost: "login.acme.test", StaleDomain: "acme.test", StalePath: "/old"}
			checkDelete(ctx, t, s.ID, buildProgram(ctx, t, s.ID, stale), stale, "acme.test")

			checkVerify(ctx, t, b)
		})
	}
}

// checkLoginCookie returns the one mf_jwt_token line of the login answer
// after checking its attributes as the cookie specs do.
func checkLoginCookie(t *testing.T, a answer) string {
	t.Helper()
	if a.Status != 200 {
		t.Fatalf("login status = %d, want 200 (%+v)", a.Status, a)
	}
	var lines []string
	for _, l := range a.SetCookie {
		if strings.HasPrefix(strings.TrimSpace(l), "mf_jwt_token=") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	if len(lines) != 1 {
		t.Fatalf("login set %d mf_jwt_token cookies (%q), want 1", len(lines), a.SetCookie)
	}
	c := cookieattr.Parse(lines[0])
	switch {
	case c.Domain == nil || !jwtcheck.DomainAttrCovers(*c.Domain, "app.acme.test") || !jwtcheck.DomainAttrCovers(*c.Domain, "login.acme.test"):
		t.Errorf("Set-Cookie %s: Domain does not cover login.acme.test and app.acme.test", redactLine(lines[0]))
	case c.Path == nil || *c.Path != "/":
		t.Errorf("Set-Cookie %s: Path is not /", redactLine(lines[0]))
	case !c.Secure || !c.HttpOnly:
		t.Errorf("Set-Cookie %s: Secure %v HttpOnly %v, want both", redactLine(lines[0]), c.Secure, c.HttpOnly)
	case c.SameSite == nil || !strings.EqualFold(*c.SameSite, "None"):
		t.Errorf("Set-Cookie %s: SameSite is not None", redactLine(lines[0]))
	case c.Partitioned:
		t.Errorf("Set-Cookie %s: Partitioned", redactLine(lines[0]))
	}
	if expired, attr := c.ExpiredAt(time.Now()); expired {
		t.Errorf("Set-Cookie %s: expired on arrival (%s)", redactLine(lines[0]), attr)
	}
	return lines[0]
}

// checkToken verifies the token with the reference verifier and the
// token specs' checks.
func checkToken(t *testing.T, tok string) {
	t.Helper()
	now := time.Now()
	v := reference.Verifier{Secret: []byte(testSecret), Leeway: reference.DefaultLeeway}
	if id, reason := v.Verify(tok); reason != "" || id.UserID != "42" {
		t.Errorf("reference verifier: reason %q, user_id %q; want accepted as 42", reason, id.UserID)
	}
	p, ds := jwtcheck.Parse(tok)
	if p == nil {
		t.Fatalf("Parse: %v", ds)
	}
	c := jwtcheck.Clock{Ours: now, Date: now.Truncate(time.Second), Issued: true}
	ds = append(ds, jwtcheck.CheckAlg(p)...)
	ds = append(ds, jwtcheck.CheckSignature(p, []byte(testSecret))...)
	ds = append(ds, jwtcheck.CheckUserID(p)...)
	ds = append(ds, jwtcheck.CheckExp(p, now)...)
	ds = append(ds, jwtcheck.CheckNotExpired(p, c, 0)...)
	ds = append(ds, jwtcheck.CheckLifetime(p, now, time.Hour+time.Minute)...)
	ds = append(ds, jwtcheck.CheckOptionalClaims(p)...)
	for _, d := range ds {
		t.Errorf("token check: %s", d.String())
	}
}

// checkDetected runs Detect on what the program answered: the stack wins,
// or (the real answer naming nothing, as a test client's does) leads the
// candidates; the Set-Cookie line's shape alone makes it the first
// candidate and never a clear winner — the shape alone never decides.
func checkDetected(t *testing.T, want ID, a answer, line string) {
	t.Helper()
	var names []string
	for _, l := range a.SetCookie {
		n, _, _ := strings.Cut(strings.TrimSpace(l), "=")
		names = append(names, n)
	}
	g := Detect(RoleBackend, Evidence{Headers: a.Headers, Cookies: names, SetCookie: line})
	if g.ID != string(want) && (g.ID != string(Unknown) || len(g.Candidates) == 0 || g.Candidates[0].ID != string(want)) {
		t.Errorf("Detect(real %s answer) = %s, want %s, or %s first among the candidates", want, String(g), want, want)
	}
	_, attrs, _ := strings.Cut(line, ";")
	shapeOnly := "mf_jwt_token=V;" + attrs // the shape without the token's clue
	g = Detect(RoleBackend, Evidence{SetCookie: shapeOnly})
	if g.ID != string(Unknown) || len(g.Candidates) == 0 || g.Candidates[0].ID != string(want) {
		t.Errorf("Detect(real %s Set-Cookie line's shape alone) = %s (candidates %v), want unknown with %s first among the candidates", want, String(g), g.Candidates, want)
	}
}

// checkDelete checks that Delete expires exactly the cookie it names.
func checkDelete(ctx context.Context, t *testing.T, id ID, b built, v Vars, wantDomain string) {
	t.Helper()
	a := b.answerOf(ctx, t, "delete")
	var lines []string
	for _, l := range a.SetCookie {
		if strings.HasPrefix(strings.TrimSpace(l), "mf_jwt_token=") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	if len(lines) != 1 {
		t.Fatalf("delete set %d mf_jwt_token lines (%q), want 1", len(lines), a.SetCookie)
	}
	c := cookieattr.Parse(lines[0])
	if expired, _ := c.ExpiredAt(time.Now()); !expired {
		t.Errorf("%s delete %q: not expired", id, lines[0])
	}
	if c.Path == nil || *c.Path != v.StalePath {
		t.Errorf("%s delete %q: Path, want %s", id, lines[0], v.StalePath)
	}
	gotDomain := ""
	if c.Domain != nil {
		gotDomain = strings.TrimPrefix(*c.Domain, ".")
	}
	if gotDomain != wantDomain {
		t.Errorf("%s delete %q: Domain %q, want %q", id, lines[0], gotDomain, wantDomain)
	}
}

// checkVerify sends every probe token (and the garbage ones) through the
// program's Verify: accepted exactly when the contract says, never 5xx.
func checkVerify(ctx context.Context, t *testing.T, b built) {
	t.Helper()
	identity := map[string]any{"user_id": "42", "first_name": "Snip", "email": "snip@example.com"}
	probes, err := jwtcheck.Probes([]byte(testSecret), identity, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	probes = append(probes, jwtcheck.GarbageProbes()...)
	var in strings.Builder
	for _, p := range probes {
		in.WriteString(p.Token + "\n")
	}
	out := strings.Fields(b.exec(ctx, t, "verify", in.String()))
	if len(out) != len(probes) {
		t.Fatalf("verify answered %d times for %d probes: %q", len(out), len(probes), out)
	}
	for k, p := range probes {
		status, _ := strconv.Atoi(out[k])
		accepted := status == 200
		if accepted != p.WantAccepted || status >= 500 {
			t.Errorf("verify %s (%s): status %d, want accepted=%v and no 5xx", p.Name, p.Detail, status, p.WantAccepted)
		}
	}
}

// redactLine keeps a Set-Cookie line's attributes, not its value.
func redactLine(l string) string {
	_, rest, _ := strings.Cut(l, ";")
	n, _, _ := strings.Cut(l, "=")
	return fmt.Sprintf("%s=…;%s", n, rest)
}
