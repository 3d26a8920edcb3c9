package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/fixtures"
	"github.com/mfconform/mfconform/suites/result"
)

// maxInspectOutput bounds what inspect prints for any token: the token
// without its signature (at most 4 KiB of header and of payload), rows of
// at most a few hundred bytes, a bounded number of findings.
const maxInspectOutput = 256 << 10

// FuzzInspect holds `mfconform inspect` to its promises for any token and
// key: exit 0 or 1; output that is printable (no escape sequence, NUL, CR
// or bidirectional control of the token reaches the terminal) and
// bounded; the key never shown, only its fingerprint; the token's
// signature never shown.
func FuzzInspect(f *testing.F) {
	f.Add("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoidTEiLCJleHAiOjE3OTU3MDAwMDB9.c2lnbmF0dXJlLWJ5dGVzLTAxMjM0NTY3ODk", "inspect-fuzz-secret-0123456789abcdef", int64(1795690000))
	f.Add("not-a-token", "", int64(0))
	f.Add("\x1b]0;title\x07.\x00.\u202e", "short", int64(-1))
	f.Add(b64url(`{"alg":"HS256","kid":"\u001b[2J\u009b"}`)+"."+b64url(`{"\u001b]8;;x\u0007":"\u202e","user_id":"\u0000","exp":1e400}`)+".c2ln", "k", int64(1<<40))
	f.Add("Bearer "+b64url(`{"alg":"none"}`)+"."+b64url(`{}`)+".", "\n", int64(1795690000))
	f.Fuzz(func(t *testing.T, token, secret string, nowUnix int64) {
		var out bytes.Buffer
		now := time.Unix(nowUnix%(400*365*24*3600), 0)
		code := inspectToken(token, []byte(secret), now, &out)
		text := out.String()
		if code != exitOK && code != exitFailed {
			t.Fatalf("inspect exit = %d, want 0 or 1", code)
		}
		if !utf8.ValidString(text) || result.Clean(text) != text {
			t.Fatalf("inspect prints raw control characters or invalid UTF-8: %q", text)
		}
		if len(text) > maxInspectOutput {
			t.Fatalf("inspect printed %d bytes for a %d-byte token", len(text), len(token))
		}
		public := token + decodedSegments(token)
		if len(secret) >= 8 && !strings.Contains(public, secret) && strings.Contains(text, secret) {
			t.Fatalf("inspect printed AUTH_SECRET_KEY:\n%s", text)
		}
		if parts := strings.Split(token, "."); len(parts) == 3 && len(parts[2]) >= 16 &&
			!strings.Contains(parts[0]+"."+parts[1]+decodedSegments(token), parts[2]) && strings.Contains(text, parts[2]) {
			t.Fatalf("inspect printed the token's signature:\n%s", text)
		}
	})
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// decodedSegments is the text of a token's segments as inspect may show
// them decoded.
func decodedSegments(token string) string {
	var b strings.Builder
	for _, seg := range strings.Split(token, ".") {
		if d, err := base64.RawURLEncoding.DecodeString(seg); err == nil {
			b.Write(d)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// FuzzTargets holds the --targets parser to its promises on any bytes: an
// error wraps ErrConfig and is printable and bounded; a file that parses
// lists at least one target, each with a unique name that stays inside
// the report folder and an existing fixture if it names one; every shard
// split is a partition; and the targets marshal back to a file that
// parses to the same targets.
func FuzzTargets(f *testing.F) {
	for _, s := range []string{
		"", "targets: []\n", "targets:\n  - fixture: documented\n  - name: staging\n    args: [--login-url, https://l.example.com/x, --app-url, reference]\n",
		"targets:\n  - name: ../escape\n", "targets:\n  - name: a\n  - name: a\n", "targets:\n  - fixture: nope\n",
		"targets:\n  - name: x\n    colour: blue\n", "targets:\n  - name: \"\\e]0;t\\a\"\n", "targets:\n  - name: x\n    \"\\e[2J\": y\n",
		"targets:\n  - name: .\n", "targets: &a [*a]\n", "targets:\n  - {name: ok, config: c.yaml, args: ['\\u202e']}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, err := parseTargets("fuzz.yaml", b)
		if err != nil {
			if !errors.Is(err, runner.ErrConfig) {
				t.Fatalf("parseTargets error %v does not wrap ErrConfig", err)
			}
			if msg := err.Error(); !utf8.ValidString(msg) || result.Clean(msg) != msg || len(msg) > result.MaxText+4096 {
				t.Fatalf("parseTargets error is not printable or too long: %q", msg)
			}
			return
		}
		if len(ts) == 0 {
			t.Fatal("parseTargets returned no targets and no error")
		}
		seen := map[string]bool{}
		for _, tg := range ts {
			if seen[tg.Name] || !validTargetName(tg.Name) {
				t.Fatalf("target name %q is repeated or invalid", tg.Name)
			}
			seen[tg.Name] = true
			// A folder escapes when its first path element is "..": compare
			// elements, not string prefixes ("..0" is a folder of its own).
			rel, err := filepath.Rel("reports", filepath.Join("reports", tg.Name))
			if err != nil || rel != tg.Name || !filepath.IsLocal(rel) {
				t.Fatalf("target %q's report folder leaves the report dir: %q", tg.Name, rel)
			}
			if tg.Fixture != "" {
				if _, err := fixtures.Get(tg.Fixture); err != nil {
					t.Fatalf("target %q names a fixture that does not exist: %v", tg.Name, err)
				}
			}
			if a := tg.runArgs("out/" + tg.Name); len(a) < 3 || a[0] != "run" || a[len(a)-2] != "--report-dir" || a[len(a)-1] != "out/"+tg.Name {
				t.Fatalf("runArgs = %q", a)
			}
		}
		for n := 1; n <= 4; n++ {
			var names []string
			for i := 1; i <= n; i++ {
				for _, tg := range shard(ts, i, n) {
					names = append(names, tg.Name)
				}
			}
			slices.Sort(names)
			if len(names) != len(ts) || len(slices.Compact(names)) != len(ts) {
				t.Fatalf("shards of %d: %v, want each of %d targets once", n, names, len(ts))
			}
		}
		again, err := yaml.Marshal(targetsFile{Targets: ts})
		if err != nil {
			t.Fatalf("yaml.Marshal(targets): %v", err)
		}
		back, err := parseTargets("again.yaml", again)
		if err != nil || !slices.EqualFunc(back, ts, sameTarget) {
			t.Fatalf("targets changed through YAML: %+v, %v; want %+v\n%s", back, err, ts, again)
		}
	})
}

// sameTarget compares targets, a nil and an empty Args alike.
func sameTarget(a, b Target) bool {
	return a.Name == b.Name && a.Fixture == b.Fixture && a.Config == b.Config && slices.Equal(a.Args, b.Args)
}
