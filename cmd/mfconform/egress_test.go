package main

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/suites/result"
)

// TestAllowHost: a login that sends the browser through a sign-in service
// the operator did not name (an identity provider on another port of this
// machine) is stopped by the egress guard — the login is unreachable, and
// the failing spec's evidence and the report say which connection was
// refused and which --allow-host admits it — and completes once the
// operator adds that host. The deployment's own error texts are
// Chromium's as without the guard (a refused connection reads
// ERR_CONNECTION_REFUSED).
func TestAllowHost(t *testing.T) {
	const login, sso = "login.acme3.test", "sso.idp3.test"
	ca, err := pki.New([]string{login, sso})
	if err != nil {
		t.Fatal(err)
	}
	caFile := writeFile(t, "ca.pem", string(ca.CertPEM))
	serve := func(h http.HandlerFunc) int {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: h, TLSConfig: ca.ServerTLS(), ErrorLog: log.New(io.Discard, "", 0), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(tls.NewListener(ln, srv.TLSConfig)) }()
		t.Cleanup(func() { _ = srv.Close() })
		return ln.Addr().(*net.TCPAddr).Port
	}
	var ssoPort int
	loginPort := serve(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/login":
			http.Redirect(w, r, "https://"+sso+":"+strconv.Itoa(ssoPort)+"/authorize", http.StatusFound)
		case "/callback":
			tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"user_id": "u1", "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(knownSecret))
			w.Header().Add("Set-Cookie", "mf_jwt_token="+tok+"; Domain=.acme3.test; Path=/; Secure; HttpOnly; SameSite=None")
			_, _ = io.WriteString(w, "<!doctype html><title>signed in</title><p>signed in")
		default:
			http.NotFound(w, r)
		}
	})
	ssoPort = serve(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://"+login+":"+strconv.Itoa(loginPort)+"/callback", http.StatusFound)
	})
	ssoEndpoint := sso + ":" + strconv.Itoa(ssoPort)
	args := []string{"run", "--mode", "jwt", "--login-url", "https://" + login + ":" + strconv.Itoa(loginPort) + "/login", "--app-url", "reference",
		"--resolve", "*.acme3.test=127.0.0.1", "--resolve", sso + "=127.0.0.1", "--ca-file", caFile}

	res := runTarget(t, knownSecret, nil, args...)
	if res.code != exitToolError || !strings.Contains(res.stdout, "LOGIN_UNREACHABLE") {
		t.Fatalf("without --allow-host: exit %d, want %d with LOGIN_UNREACHABLE\n%s%s", res.code, exitToolError, res.stdout, res.stderr)
	}
	// The finding itself says where the login's redirect was refused.
	for _, l := range strings.Split(res.stdout, "\n") {
		if strings.Contains(l, "observed:") && strings.Contains(l, "ERR_SOCKS_CONNECTION_FAILED") && !strings.Contains(l, "refused by mfconform") {
			t.Errorf("an observation quotes the proxy's error without saying why: %s", l)
		}
	}
	for _, want := range []string{
		"refused by mfconform: " + ssoEndpoint + " resolves to this machine (127.0.0.1), where only the deployment's own ports are reached",
		"--allow-host " + ssoEndpoint,
		"refused: mfconform let the browser reach only the deployment",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("the console lacks %q:\n%s", want, res.stdout)
		}
	}
	if res.report == nil {
		t.Fatal("no report.json")
	}
	if i := slices.IndexFunc(res.report.Refused, func(r result.Refusal) bool {
		return r.Host == sso && r.Port == ssoPort && r.During == "jwt_login_flow"
	}); i < 0 {
		t.Errorf("report.json lists refused %+v, want %s during jwt_login_flow", res.report.Refused, ssoEndpoint)
	}
	shown := false
	for _, s := range res.report.Specs {
		for _, e := range s.Evidence {
			if e.Name == "connections mfconform refused" && s.ID == result.JWTCookie001 && strings.Contains(strings.Join(anyStrings(e.Value), " "), ssoEndpoint) {
				shown = true
			}
		}
	}
	if !shown {
		t.Errorf("JWT-COOKIE-001's evidence does not show the refused connection to %s", ssoEndpoint)
	}

	res = runTarget(t, knownSecret, nil, append(args, "--allow-host", ssoEndpoint)...)
	if res.code != exitOK {
		t.Errorf("with --allow-host %s: exit %d, want %d\n%s%s", ssoEndpoint, res.code, exitOK, res.stdout, res.stderr)
	}
	if res.report != nil && len(res.report.Refused) != 0 {
		t.Errorf("with --allow-host: refused %+v, want nothing", res.report.Refused)
	}
	assertClean(t, res)
}

// anyStrings reads evidence decoded from JSON ([]any of strings) or kept
// as []string.
func anyStrings(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
