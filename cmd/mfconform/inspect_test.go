package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/jwtcheck"
)

func TestInspect(t *testing.T) {
	const secret = "inspect-test-secret-0123456789-abcdefghijkl"
	now := time.Now()
	mint := func(alg string, key string, claims map[string]any) string {
		tok, err := jwtcheck.Mint(alg, []byte(key), claims)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	good := mint("HS256", secret, map[string]any{"user_id": "u1", "exp": float64(now.Add(time.Hour).Unix()) + 0.5, "email": "a@b.example"})
	tests := []struct {
		name     string
		token    string
		secret   string
		wantCode int
		want     []string
	}{
		{"conformant with key", good, secret, exitOK, []string{"no findings", "user_id", "(in 1h)"}},
		{"conformant without key", good, "", exitOK, []string{"not set — the signature was not checked"}},
		{"cookie prefix accepted", "mf_jwt_token=" + good, secret, exitOK, []string{"no findings"}},
		{"expired", mint("HS256", secret, map[string]any{"user_id": "u1", "exp": now.Add(-3 * time.Hour).Unix()}), secret, exitFailed, []string{"TOKEN_EXPIRED", "expired 3h"}},
		{"key with newline", mint("HS256", secret+"\n", map[string]any{"user_id": "u1", "exp": now.Add(time.Hour).Unix()}), secret, exitFailed, []string{"TOKEN_SECRET_WHITESPACE"}},
		{"other key", mint("HS256", "another key entirely, long enough to be fine", map[string]any{"user_id": "u1", "exp": now.Add(time.Hour).Unix()}), secret, exitFailed, []string{"TOKEN_SIGNATURE_MISMATCH"}},
		{"exp in milliseconds", mint("HS256", secret, map[string]any{"user_id": "u1", "exp": now.Add(time.Hour).UnixMilli()}), secret, exitFailed, []string{"TOKEN_EXP_MILLISECONDS"}},
		{"garbage", "not-a-token", secret, exitFailed, []string{"TOKEN_MALFORMED"}},
		{"weak key", mint("HS256", "secret", map[string]any{"user_id": "u1", "exp": now.Add(time.Hour).Unix()}), "secret", exitFailed, []string{"SECRET_WEAK"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AUTH_SECRET_KEY", tt.secret)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"inspect", tt.token}, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("inspect exit = %d, want %d\n%s%s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("inspect output lacks %q:\n%s", w, stdout.String())
				}
			}
			out := stdout.String() + stderr.String()
			if len(tt.secret) > 6 && strings.Contains(out, tt.secret) {
				t.Errorf("inspect printed AUTH_SECRET_KEY:\n%s", out)
			}
			if parts := strings.Split(tt.token, "."); len(parts) == 3 && len(parts[2]) > 10 && strings.Contains(out, parts[2]) {
				t.Errorf("inspect printed the token's signature:\n%s", out)
			}
		})
	}
}

func TestInspectUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"inspect", "a", "b"}, &stdout, &stderr); code != exitToolError {
		t.Errorf("inspect a b exit = %d, want %d", code, exitToolError)
	}
}

// TestInspectStdin: `inspect -` reads one token from standard input and
// refuses more than it would ever need, with a clear error instead of
// calling a cut-off token malformed; claim names a token carries cannot
// put control sequences on the terminal, nor start a line with a CI
// workflow command.
func TestInspectStdin(t *testing.T) {
	tok, err := jwtcheck.Mint("HS256", []byte("k-0123456789abcdef0123456789abcdef"), map[string]any{"user_id": "u1", "exp": time.Now().Add(time.Hour).Unix(), "\x1b]0;pwned\x07": "x",
		"x\n::error title=t::from a claim name\r  ::add-mask::y": "z"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		in       string
		wantCode int
		want     string
	}{
		{"one token", tok + "\n", exitOK, "user_id"},
		{"too large", strings.Repeat("a", maxTokenInput+1), exitToolError, "larger than"},
		{"at the bound: judged, not refused", strings.Repeat("a", maxTokenInput), exitFailed, "TOKEN_MALFORMED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdin = strings.NewReader(tt.in)
			t.Cleanup(func() { stdin = os.Stdin })
			t.Setenv("AUTH_SECRET_KEY", "")
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"inspect", "-"}, &stdout, &stderr)
			out := stdout.String() + stderr.String()
			if code != tt.wantCode || !strings.Contains(out, tt.want) {
				t.Errorf("inspect - = %d, want %d and %q:\n%s", code, tt.wantCode, tt.want, out)
			}
			if strings.ContainsAny(out, "\x1b\x07") {
				t.Errorf("inspect output holds raw control characters: %q", out)
			}
			if line, ok := ciCommandLine(out); ok {
				t.Errorf("a claim name starts a line a CI runner obeys: %q", line)
			}
		})
	}
}
