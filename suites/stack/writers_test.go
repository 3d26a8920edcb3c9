package stack

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/reference"
	"github.com/mfconform/mfconform/suites/cookieattr"
)

// domainArg matches the domain argument of each runnable stack's
// set-cookie call when rendered with an empty Domain, so a host-only
// program makes the same call without it (Werkzeug ≤ 2.2 refuses
// domain="" outright).
var domainArg = regexp.MustCompile(`domain="", |domain: '', |Domain: "", `)

// claimNames returns a token's payload claim names in order.
func claimNames(t *testing.T, tok string) []string {
	t.Helper()
	names, ok := tokenClaimNames(tok)
	if !ok {
		parts := strings.Split(tok, ".")
		b, _ := base64.RawURLEncoding.DecodeString(parts[min(1, len(parts)-1)])
		t.Fatalf("token payload %q is not a JSON object", b)
	}
	return names
}

// TestRealWritersMatchTheFixtures proves the fixtures' stack shapes are
// the real frameworks' output: for every stack mfconform can run, the
// program that sets mf_jwt_token with the framework itself — with Domain
// and without — writes exactly the Set-Cookie line the reference writes
// in that stack's shape (reference.Shapes, the line the stack fixtures
// send), and its JWT library writes the token's claims in the order the
// reference imitates (PyJWT: as the code lists them, no iat; jsonwebtoken:
// iat then exp after them; golang-jwt's MapClaims: sorted). Express's
// answer also carries Node's Keep-Alive default, which Detect reads.
func TestRealWritersMatchTheFixtures(t *testing.T) {
	shapes := map[ID]string{Flask: "flask", Django: "django", FastAPI: "fastapi", Express: "express", NextJS: "nextjs", GoNetHTTP: "go"}
	for _, s := range All() {
		if !s.Runnable {
			continue
		}
		shape, ok := reference.Shapes[shapes[s.ID]]
		if !ok {
			t.Errorf("%s is runnable but has no reference shape to prove", s.ID)
			continue
		}
		for _, domain := range []string{"acme.test", ""} {
			t.Run(string(s.ID)+"/domain="+domain, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), programTimeout)
				defer cancel()
				v := Vars{Domain: domain, StaleHost: "app.acme.test", StalePath: "/"}
				b := buildHostOnlyAware(ctx, t, s.ID, v)
				a := b.answerOf(ctx, t, "login")
				var real string
				for _, l := range a.SetCookie {
					if strings.HasPrefix(strings.TrimSpace(l), "mf_jwt_token=") {
						real = strings.TrimSpace(l)
					}
				}
				if real == "" {
					t.Fatalf("the %s program set no mf_jwt_token: %q", s.ID, a.SetCookie)
				}
				tok := cookieattr.Parse(real).Value
				_, attrs, _ := strings.Cut(real, ";")

				p := reference.DefaultProfile()
				p.Backend = shape
				p.Cookie.Domain = domain
				p.Token.Claims = map[string]any{"user_id": "42"}
				if shape.Token == reference.TokenJSONWebToken {
					p.Token.IssuedAt, p.Token.Exp = true, reference.ExpInteger
				}
				now := time.Now()
				want := reference.SetCookieLine(p, "T", now)
				if got := "mf_jwt_token=T;" + attrs; got != want {
					t.Errorf("%s writes %q; the fixtures' %s shape writes %q", s.Name, got, shapes[s.ID], want)
				}
				ref, err := reference.BackendToken(p, []byte(testSecret), now)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := claimNames(t, tok), claimNames(t, ref); !slices.Equal(got, want) {
					t.Errorf("%s's token claims in order %v; the fixtures' %s token writes %v", s.JWTLibrary, got, shapes[s.ID], want)
				}
				if s.ID == Express && a.Headers["keep-alive"] != "timeout=5" {
					t.Errorf("Express answered Keep-Alive %q, want Node's default timeout=5 (headers %v)", a.Headers["keep-alive"], a.Headers)
				}
			})
		}
	}
}

// buildHostOnlyAware is buildProgram, with the set-cookie call's domain
// argument left out when v has no Domain.
func buildHostOnlyAware(ctx context.Context, t *testing.T, id ID, v Vars) built {
	t.Helper()
	b := buildProgram(ctx, t, id, v)
	if v.Domain != "" {
		return b
	}
	path := filepath.Join(b.dir, b.p.file)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src = domainArg.ReplaceAll(src, nil)
	if bytes.Contains(src, []byte(`omain: ""`)) || bytes.Contains(src, []byte(`domain=""`)) {
		t.Fatalf("the %s program still passes an empty domain", id)
	}
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if b.p.build != nil {
		b.p.build(ctx, t, b.dir)
	}
	return b
}
