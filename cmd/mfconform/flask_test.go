package main

import (
	"bufio"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mfconform/mfconform/fixtures"
	"github.com/mfconform/mfconform/fixtures/fixturetest"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// debianPython has Flask and PyJWT (scripts/install-test-python.sh).
const debianPython = "/usr/bin/python3"

// flaskBackend is a real Flask backend — Werkzeug's server over TLS —
// whose /login signs mf_jwt_token with PyJWT, exp and iat computed by the
// Python claims expression given, under the process zone TZ. It binds an
// ephemeral port on 127.0.0.2 and prints it.
const flaskBackend = `import os, ssl, sys, time
from datetime import datetime, timedelta, timezone
import jwt
from flask import Flask, make_response
from werkzeug.serving import make_server

app = Flask(__name__)

@app.get("/login")
def login():
    claims = CLAIMS
    token = jwt.encode(claims, os.environ["AUTH_SECRET_KEY"], algorithm="HS256")
    response = make_response("signed in")
    response.set_cookie("mf_jwt_token", token, domain="flask.test", path="/", secure=True, httponly=True, samesite="None")
    return response

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
server = make_server("127.0.0.2", 0, app, ssl_context=ctx)
print(server.server_port, flush=True)
server.serve_forever()
`

// startFlask runs flaskBackend with claims under TZ=tz and returns its
// login URL and the CA file that trusts it.
func startFlask(t *testing.T, tz, claims string) (loginURL, caFile string) {
	t.Helper()
	if _, err := os.Stat(debianPython); err != nil {
		t.Fatalf("%s: %v (make deps installs Debian's Python with Flask and PyJWT)", debianPython, err)
	}
	ca, err := pki.New([]string{"login.flask.test"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile, caFile := filepath.Join(dir, "leaf.pem"), filepath.Join(dir, "leaf.key"), filepath.Join(dir, "ca.pem")
	var chain []byte
	for _, der := range ca.Leaf.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	key, err := x509.MarshalPKCS8PrivateKey(ca.Leaf.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{certFile: chain, keyFile: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), caFile: ca.CertPEM} {
		if err := os.WriteFile(name, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(debianPython, "-c", strings.Replace(flaskBackend, "CLAIMS", claims, 1), certFile, keyFile)
	cmd.Env = append(os.Environ(), "TZ="+tz, "AUTH_SECRET_KEY="+knownSecret)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		_ = cmd.Wait()
	})
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			port <- strings.TrimSpace(sc.Text())
		}
	}()
	select {
	case p := <-port:
		return "https://login.flask.test:" + p + "/login", caFile
	case <-time.After(30 * time.Second):
		t.Fatal("the Flask backend did not print its port")
	}
	return "", ""
}

// TestFlaskBackendTruth runs mfconform against real Flask backends as an
// operator would — reached through --resolve at 127.0.0.2, trusted with
// --ca-file — and holds every finding to what is true of each backend:
//
//   - UTC, exp = now − 1 h, no iat: the token looks exactly like the
//     vendor's snippet at UTC+2, and nothing shows the zone, so no finding
//     may state one: TOKEN_EXPIRED, with UTC+2 only as a labelled guess;
//   - the vendor's naive snippet with iat at UTC+2 (TZ=Etc/GMT-2): iat is
//     2 h behind the server's own Date, which pins the zone:
//     TOKEN_EXP_TIMEZONE, stating UTC+2 as the fact it is.
func TestFlaskBackendTruth(t *testing.T) {
	tests := []struct {
		name, tz, claims string
		zone             time.Duration
		wantCode         diag.Code
		wantFactZone     string // the zone a proven cause states; "" none
		wantGuessZone    string // the zone the first hypothesis guesses; "" none
	}{
		{"UTC, exp = now − 1h", "UTC", `{"user_id": "42", "exp": int(time.time()) - 3600}`, 0,
			diag.TokenExpired, "", "UTC+2"},
		{"vendor snippet with iat at UTC+2", "Etc/GMT-2",
			`{"user_id": "42", "exp": (datetime.utcnow() + timedelta(hours=1)).timestamp(), "iat": datetime.utcnow().timestamp()}`, 2 * time.Hour,
			diag.TokenExpTimezone, "UTC+2", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loginURL, caFile := startFlask(t, tt.tz, tt.claims)
			res := runTarget(t, knownSecret, nil, "run", "--mode", "jwt", "--login-url", loginURL, "--app-url", "reference",
				"--resolve", "login.flask.test=127.0.0.2", "--ca-file", caFile)
			if res.code != exitFailed || res.report == nil {
				t.Fatalf("exit code = %d (report %v), want %d\n%s%s", res.code, res.report != nil, exitFailed, res.stdout, res.stderr)
			}
			var found *result.Diagnostic
			for _, s := range res.report.Specs {
				for i, d := range s.Diagnostics {
					if s.ID == result.JWTToken006 && d.Code == tt.wantCode {
						found = &s.Diagnostics[i]
					}
					if d.Claim.Zone != "" && d.Claim.Zone != tt.wantFactZone {
						t.Errorf("%s %s states the zone %s as a fact", s.ID, d.Code, d.Claim.Zone)
					}
				}
				if s.State == result.StateFailed && s.ID != result.JWTToken006 {
					t.Errorf("%s failed too: %v", s.ID, s.Codes())
				}
			}
			if found == nil {
				t.Fatalf("JWT-TOKEN-006 does not report %s:\n%s", tt.wantCode, res.stdout)
			}
			if found.Claim.Zone != tt.wantFactZone {
				t.Errorf("%s states zone %q, want %q", found.Code, found.Claim.Zone, tt.wantFactZone)
			}
			guess := ""
			if len(found.Hypotheses) > 0 {
				guess = found.Hypotheses[0].Claim.Zone
			}
			if guess != tt.wantGuessZone {
				t.Errorf("first hypothesis guesses zone %q, want %q: %s", guess, tt.wantGuessZone, found)
			}
			// The report as a whole against the backend's truth: its zone,
			// and the key it signs with (the one given).
			truth := fixtures.Fixture{Name: "flask " + tt.name, Truth: &fixtures.Truth{Zone: fixtures.ZoneIs(tt.zone),
				HoldsKey: map[result.Side]bool{result.SideBackend: true, result.SideApp: true}, Stack: "flask"}}
			for _, u := range fixturetest.Untruths(truth, res.report) {
				t.Error(u)
			}
			for _, line := range strings.Split(res.stdout, "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "cause:") && strings.Contains(line, "UTC+") && tt.wantFactZone == "" {
					t.Errorf("the console states a zone as the cause: %q", line)
				}
			}
			if tt.wantGuessZone != "" && !strings.Contains(res.stdout, result.LabelLikely+":") {
				t.Errorf("the console does not label the guess:\n%s", res.stdout)
			}
			assertClean(t, res)
		})
	}
}
