package netfail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/suites/diag"
)

// realErrors makes the errors a Go client really returns, on loopback
// only: a closed port, a TLS server whose CA is not trusted, one whose
// certificate is for another name, plain http behind https, a server that
// never answers. A failed name lookup is built as the resolver builds it:
// a real lookup would leave loopback.
func realErrors(t *testing.T) map[string]error {
	t.Helper()
	out := map[string]error{}
	get := func(c *http.Client, u string) error {
		resp, err := c.Get(u)
		if err == nil {
			resp.Body.Close()
			return fmt.Errorf("%s answered %d", u, resp.StatusCode)
		}
		return err
	}

	// A port nothing listens on: bind one, then close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	out["refused"] = get(&http.Client{Timeout: 10 * time.Second}, "https://"+closed+"/")

	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(tlsSrv.Close)
	out["unknown CA"] = get(&http.Client{Timeout: 10 * time.Second}, tlsSrv.URL)

	// The test server's certificate is for example.com and 127.0.0.1:
	// trusted, but asked for as app.acme.test.
	trusting := tlsSrv.Client()
	tr := trusting.Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, tlsSrv.Listener.Addr().String())
	}
	out["certificate name"] = get(&http.Client{Transport: tr, Timeout: 10 * time.Second}, "https://app.acme.test/")

	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(plain.Close)
	out["plain http"] = get(&http.Client{Timeout: 10 * time.Second}, strings.Replace(plain.URL, "http://", "https://", 1))

	// A server that never answers, and a client bound by a short
	// response-header timeout: it always times out, however slow the
	// machine (no timing is asserted).
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { <-hang }))
	t.Cleanup(func() { close(hang); slow.Close() })
	out["timeout awaiting headers"] = get(&http.Client{Transport: &http.Transport{ResponseHeaderTimeout: 50 * time.Millisecond}}, slow.URL)

	out["no such host"] = &url.Error{Op: "Get", URL: "https://app.example.com/api/me", Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: &net.DNSError{Err: "no such host", Name: "app.example.com", IsNotFound: true}}}
	return out
}

func TestClassifyGoErrors(t *testing.T) {
	errs := realErrors(t)
	tests := []struct {
		err      string
		target   string
		want     Kind
		wantHost string
	}{
		{"refused", "", Refused, "127.0.0.1"},
		{"unknown CA", "", UnknownCA, "127.0.0.1"},
		{"certificate name", "", CertName, "app.acme.test"},
		{"plain http", "", PlainHTTP, "127.0.0.1"},
		{"timeout awaiting headers", "", Timeout, "127.0.0.1"},
		{"no such host", "", DNS, "app.example.com"},
		{"no such host", "https://app.example.com:8443", DNS, "app.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.err, func(t *testing.T) {
			err := errs[tt.err]
			f := Classify(tt.target, err, nil)
			if f.Kind != tt.want || f.Host != tt.wantHost {
				t.Errorf("Classify(%q) = %+v, want kind %q host %q", err, f, tt.want, tt.wantHost)
			}
		})
	}
	if f := Classify("", errors.New("something else"), nil); f.Kind != Unknown {
		t.Errorf("Classify(an unknown error) = %q, want unknown", f.Kind)
	}
	if f := Classify("", context.DeadlineExceeded, nil); f.Kind != Timeout {
		t.Errorf("Classify(context.DeadlineExceeded) = %q, want timeout", f.Kind)
	}
}

func TestClassifyChromiumErrors(t *testing.T) {
	for text, want := range map[string]Kind{
		"net::ERR_NAME_NOT_RESOLVED":        DNS,
		"net::ERR_CONNECTION_REFUSED":       Refused,
		"net::ERR_CERT_AUTHORITY_INVALID":   UnknownCA,
		"net::ERR_CERT_COMMON_NAME_INVALID": CertName,
		"net::ERR_CONNECTION_TIMED_OUT":     Timeout,
		"net::ERR_SSL_PROTOCOL_ERROR":       TLS,
		"net::ERR_ABORTED":                  Unknown,
	} {
		err := fmt.Errorf("log in at https://login.acme.test/login: browser: navigate to https://login.acme.test/login: %w",
			errors.New("page load error "+text))
		f := Classify("https://login.acme.test/login", err, nil)
		if f.Kind != want || !f.Chromium || f.Host != "login.acme.test" || f.Port != "443" {
			t.Errorf("Classify(%s) = %+v, want %q from Chromium for login.acme.test:443", text, f, want)
		}
	}
}

// TestExplain: each kind's finding states the failure as proven by the
// observed error and names the fix — --resolve with the host for a name
// that does not resolve, --ca-file for an unknown authority, the host and
// port (and the --resolve rule that mapped it) for a refused connection —
// and a failure it cannot classify keeps the catalogue's hypotheses.
func TestExplain(t *testing.T) {
	var hm hostmap.Map
	if err := hm.Add("*.acme.test", "127.0.0.2"); err != nil {
		t.Fatal(err)
	}
	errs := realErrors(t)
	chromium := func(text string) error { return errors.New("page load error net::" + text) }
	tests := []struct {
		name      string
		code      diag.Code
		target    string
		err       error
		wantCause []string
		wantFix   []string
		wantGuess bool // hypotheses remain
	}{
		{"Chromium: DNS", diag.LoginUnreachable, "https://login.example.com/login", chromium("ERR_NAME_NOT_RESOLVED"),
			[]string{"login.example.com", "does not resolve"}, []string{"--resolve login.example.com=IP"}, false},
		{"Go: DNS", diag.AppUnreachable, "https://app.example.com", errs["no such host"],
			[]string{"app.example.com does not resolve"}, []string{"--resolve app.example.com=IP"}, false},
		{"Chromium: refused, mapped by --resolve", diag.LoginUnreachable, "https://login.acme.test/login", chromium("ERR_CONNECTION_REFUSED"),
			[]string{"login.acme.test:443", "127.0.0.2:443, mapped by the host rule *.acme.test=127.0.0.2", "refused"}, []string{"port 443 of login.acme.test"}, true},
		{"Go: refused", diag.AppUnreachable, "", errs["refused"],
			[]string{"refused", "127.0.0.1"}, []string{"Start the service on port"}, true},
		{"Chromium: unknown CA", diag.LoginUnreachable, "https://login.acme.test/login", chromium("ERR_CERT_AUTHORITY_INVALID"),
			[]string{"authority this machine does not trust"}, []string{"--ca-file FILE"}, false},
		{"Go: unknown CA", diag.SupabaseURLUnreachable, "", errs["unknown CA"],
			[]string{"authority this machine does not trust"}, []string{"--ca-file FILE"}, false},
		{"Go: wrong name", diag.AppUnreachable, "", errs["certificate name"],
			[]string{"not valid for the name app.acme.test"}, []string{"names include app.acme.test"}, false},
		{"Go: timeout awaiting headers", diag.AppUnreachable, "", errs["timeout awaiting headers"],
			[]string{"No answer came from"}, []string{"--proxy"}, true},
		{"unknown: the catalogue's hypotheses stand", diag.AppUnreachable, "https://app.acme.test", errors.New("something odd"),
			nil, []string{"--resolve HOST=IP", "--ca-file FILE"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Explain(diag.New(tt.code, "an answer", tt.err.Error()), Classify(tt.target, tt.err, &hm))
			for _, w := range tt.wantCause {
				if !strings.Contains(d.Cause, w) {
					t.Errorf("cause %q lacks %q", d.Cause, w)
				}
			}
			if len(tt.wantCause) > 0 && !strings.Contains(d.ProvenBy, "observed error") {
				t.Errorf("proven by %q, want the observed error", d.ProvenBy)
			}
			for _, w := range tt.wantFix {
				if !strings.Contains(d.Fix, w) {
					t.Errorf("fix %q lacks %q", d.Fix, w)
				}
			}
			if (len(d.Hypotheses) > 0) != tt.wantGuess {
				t.Errorf("hypotheses = %v, want some: %v", d.Hypotheses, tt.wantGuess)
			}
			if strings.Contains(d.Cause, "DNS, connection or TLS") {
				t.Errorf("cause still lists every failure: %q", d.Cause)
			}
		})
	}
}

// TestTLSRecordHeader: a TLS client talking to plain http fails the
// handshake with the first bytes of an HTTP answer.
func TestTLSRecordHeader(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer plain.Close()
	conn, err := tls.Dial("tcp", plain.Listener.Addr().String(), &tls.Config{InsecureSkipVerify: true})
	if err == nil {
		conn.Close()
		t.Fatal("a TLS handshake with a plain http server succeeded")
	}
	if f := Classify("https://"+plain.Listener.Addr().String(), err, nil); f.Kind != PlainHTTP && f.Kind != TLS {
		t.Errorf("Classify(%v) = %q, want plain http or TLS", err, f.Kind)
	}
}
