package runner

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/result"
)

// TestLoadCAFile: the CA file is read and checked before anything runs —
// there, within bounds, PEM certificates that parse, and no private key.
func TestLoadCAFile(t *testing.T) {
	dir := t.TempDir()
	good := writeCA(t, filepath.Join(dir, "ca.pem"))
	goodPEM, _ := os.ReadFile(good)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalECPrivateKey(key)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path string
		want       string // "" for no error
	}{
		{"a CA certificate", good, ""},
		{"a bundle of two", write("two.pem", append(append([]byte("# corp roots\n"), goodPEM...), goodPEM...)), ""},
		{"missing", filepath.Join(dir, "nope.pem"), "no such file or directory"},
		{"empty", write("empty.pem", nil), "holds no PEM certificate"},
		{"not PEM", write("der.pem", []byte("\x30\x82\x01\x0a garbage")), "holds no PEM certificate"},
		{"a private key", write("key.pem", keyPEM), "holds a private key (PEM block 1)"},
		{"a certificate and its key", write("both.pem", append(append([]byte{}, goodPEM...), keyPEM...)), "holds a private key (PEM block 2)"},
		{"a broken certificate", write("broken.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("nope")})), "PEM block 1 is not a certificate"},
		{"a folder", dir, "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadCAFile(tt.path)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("loadCAFile() error = %v, want none", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("loadCAFile() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestFilterLabels: the labels of a filter are read as Ginkgo reads them;
// set expressions and regular expressions are left alone.
func TestFilterLabels(t *testing.T) {
	tests := []struct {
		filter string
		want   []string
	}{
		{"", nil},
		{"area:cookie", []string{"area:cookie"}},
		{"area:cookie || area:token", []string{"area:cookie", "area:token"}},
		{"!(mode:jwt && area:app),area:key", []string{"mode:jwt", "area:app", "area:key"}},
		{"/COOKIE/ && area:cookie", []string{"area:cookie"}},
		{"area: containsAny {cookie, token} && mode:jwt", []string{"mode:jwt"}},
		{"area: isEmpty || slow", []string{"slow"}},
		{" spaced label ", []string{"spaced label"}},
		{"area:(cookie", nil}, // does not parse: Ginkgo's error is the message
	}
	for _, tt := range tests {
		if got := filterLabels(tt.filter); !slices.Equal(got, tt.want) {
			t.Errorf("filterLabels(%q) = %q, want %q", tt.filter, got, tt.want)
		}
	}
}

// TestUnknownNames: a label, fixture, spec ID or code that does not exist
// is an error before anything runs, naming the closest ones (at most
// three) and the command that lists them — never the whole list.
func TestUnknownNames(t *testing.T) {
	waivers := func(t *testing.T, yaml string) string {
		p := filepath.Join(t.TempDir(), "waivers.yaml")
		if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		args func(t *testing.T) []string
		want []string
	}{
		{"an unknown area", func(*testing.T) []string { return []string{"--label-filter", "area:cokie || area:token"} },
			[]string{`no spec has the label "area:cokie" (did you mean area:cookie?)`, "`mfconform specs` lists the labels"}},
		{"an unknown mode, negated", func(*testing.T) []string { return []string{"--label-filter", "!mode:jwtt"} },
			[]string{`"mode:jwtt" (did you mean mode:jwt?)`}},
		{"labels match without regard to case", func(*testing.T) []string { return []string{"--label-filter", "AREA:Cookie"} }, nil},
		{"a label nothing is near", func(*testing.T) []string { return []string{"--label-filter", "frobnicate"} },
			[]string{`no spec has the label "frobnicate"; `}},
		{"a filter that selects nothing in the mode", func(*testing.T) []string {
			return []string{"--mode", "jwt", "--label-filter", "area:browser"}
		}, []string{`"area:browser" selects no spec in mode jwt`}},
		{"a fixture typo", func(*testing.T) []string { return []string{"--fixture", "samesite-lx"} },
			[]string{`--fixture "samesite-lx": no such fixture (did you mean samesite-lax?); ` + "`mfconform fixtures` lists them"}},
		{"a spec typo in a waiver", func(t *testing.T) []string {
			return []string{"--waivers", waivers(t, "waivers:\n  - code: TOKEN_EXPIRED\n    reason: a\n  - spec: JWT-COOKIE-060\n    reason: b\n")}
		}, []string{"waiver 2: its spec is no spec of mfconform's (did you mean JWT-COOKIE-006 or JWT-COOKIE-010?)", "`mfconform specs` lists them"}},
		{"a spec in lower case in a waiver", func(t *testing.T) []string {
			return []string{"--waivers", waivers(t, "waivers:\n  - spec: jwt-cookie-002\n    reason: b\n")}
		}, []string{`waiver 1: its spec is no spec of mfconform's (did you mean JWT-COOKIE-002?)`}},
		{"a code typo in a waiver", func(t *testing.T) []string {
			return []string{"--waivers", waivers(t, "waivers:\n  - code: COOKIE_SAMESITE_NOTNONE\n    reason: b\n")}
		}, []string{`waiver 1: its code is no diagnostic code of mfconform's (did you mean COOKIE_SAMESITE_NOT_NONE?)`, "`mfconform explain` lists them"}},
		{"a stale waiver is no error", func(t *testing.T) []string {
			return []string{"--waivers", waivers(t, "waivers:\n  - code: TOKEN_EXPIRED\n    reason: fixed last year\n  - spec: JWT-APP-001\n    reason: x\n")}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Prepare(tt.args(t), func(string) string { return "" })
			if tt.want == nil {
				if err != nil {
					t.Errorf("Prepare() error = %v, want none", err)
				}
				return
			}
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("Prepare() error = %v, want ErrConfig", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Prepare() error = %q, want it to contain %q", err, w)
				}
			}
			if n := strings.Count(err.Error(), ","); n > 4 {
				t.Errorf("Prepare() error lists %d names: %q", n, err)
			}
		})
	}
}

// TestStaleWaiverIsARunNote: a waiver for a real code that the run does
// not report passes validation and is told apart at run time as stale.
func TestStaleWaiverIsARunNote(t *testing.T) {
	ws := []result.Waiver{{Code: "TOKEN_EXPIRED", Reason: "fixed"}}
	c := Defaults()
	c.Waivers = ws
	if err := c.validateWaivers(); err != nil {
		t.Fatalf("validateWaivers() = %v, want none for a known code", err)
	}
	r := &result.Report{Specs: []result.Spec{{ID: result.JWTCookie001, State: result.StatePassed}}}
	result.ApplyWaivers(r, ws, time.Now())
	if len(r.WaiverProblems) != 1 || !strings.Contains(r.WaiverProblems[0], "TOKEN_EXPIRED matched nothing in this run") {
		t.Errorf("waiver problems = %q, want the stale waiver named", r.WaiverProblems)
	}
}
