package reports

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

func TestPrintSpec(t *testing.T) {
	hostOnly := diag.New(diag.CookieHostOnly, "Domain=.acme.test", "no Domain attribute")
	lifetime := diag.New(diag.TokenLifetimeLong, "at most 24 h", "30 days")
	note := diag.New(diag.CookieThirdPartyBlocked, "information only", "blocked in a cross-site frame").WithSeverity(diag.Info)
	other := hostOnly
	other.Observed = "withheld on the iframe"

	tests := []struct {
		name      string
		spec      result.Spec
		wantFirst string   // the first line, exactly
		wantLines int      // total lines; 0 to not check
		want      []string // substrings of the output
		notWant   []string // substrings that must not appear
	}{
		{
			name:      "passed is one line",
			spec:      result.Spec{ID: result.JWTCookie001, Title: "cookie is set", State: result.StatePassed, JudgeMS: 12.4, Diagnostics: []diag.Diagnostic{note}},
			wantFirst: "PASS  JWT-COOKIE-001  cookie is set (judged in 12 ms)",
			wantLines: 1,
			notWant:   []string{"COOKIE_THIRD_PARTY_BLOCKED"},
		},
		{
			name:      "passed under a millisecond",
			spec:      result.Spec{ID: result.JWTCookie001, Title: "fast", State: result.StatePassed, JudgeMS: 0.3},
			wantFirst: "PASS  JWT-COOKIE-001  fast (judged in <1 ms)",
			wantLines: 1,
		},
		{
			name:      "failed names its cause and where its fix is",
			spec:      result.Spec{ID: result.JWTCookie002, Title: "cookie domain", State: result.StateFailed, JudgeMS: 30, Diagnostics: []diag.Diagnostic{hostOnly}},
			wantFirst: "FAIL  JWT-COOKIE-002  cookie domain (judged in 30 ms)",
			wantLines: 2,
			want:      []string{"\n      COOKIE_HOST_ONLY (fail) mf_jwt_token is host-only — fix #1 below\n"},
			notWant:   []string{"expected:", "fix:"},
		},
		{
			name:      "a cause in many findings is one line",
			spec:      result.Spec{ID: result.JWTCookie002, Title: "cookie domain", State: result.StateFailed, Diagnostics: []diag.Diagnostic{hostOnly, other}},
			want:      []string{"COOKIE_HOST_ONLY (fail) mf_jwt_token is host-only (2 findings) — fix #1 below\n"},
			wantLines: 2, wantFirst: "FAIL  JWT-COOKIE-002  cookie domain (judged in <1 ms)",
		},
		{
			name:      "failed without diagnostics prints the failure",
			spec:      result.Spec{ID: result.JWTCookie003, Title: "size", State: result.StateFailed, JudgeMS: 5000, Failure: "timed out: a\nb"},
			wantFirst: "FAIL  JWT-COOKIE-003  size (judged in 5000 ms)",
			wantLines: 3,
			want:      []string{"\n      timed out: a\n      b\n"},
		},
		{
			name:      "warned prints warnings, not notes",
			spec:      result.Spec{ID: result.JWTToken001, Title: "lifetime", State: result.StateWarned, JudgeMS: 3, Diagnostics: []diag.Diagnostic{lifetime, note}},
			wantFirst: "WARN  JWT-TOKEN-001   lifetime (judged in 3 ms)",
			want:      []string{"TOKEN_LIFETIME_LONG (warn) token lifetime is unusually long — fix #1 below"},
			notWant:   []string{"COOKIE_THIRD_PARTY_BLOCKED"},
		},
		{
			name:      "interrupted prints the reason",
			spec:      result.Spec{ID: result.JWTApp001, Title: "app", State: result.StateInterrupted, JudgeMS: 100, Reason: "interrupted by signal"},
			wantFirst: "INTR  JWT-APP-001     app (judged in 100 ms)",
			wantLines: 2,
			want:      []string{"\n      interrupted by signal\n"},
		},
	}
	tests = append(tests, struct {
		name      string
		spec      result.Spec
		wantFirst string
		wantLines int
		want      []string
		notWant   []string
	}{
		name:      "target text is cleaned of control characters",
		spec:      result.Spec{ID: result.JWTApp001, Title: "app", State: result.StateFailed, Failure: "body \x1b]8;;evil\x07 \x00 \x08 done"},
		wantFirst: "FAIL  JWT-APP-001     app (judged in <1 ms)",
		want:      []string{`\u001b]8;;evil\u0007 \u0000 \u0008 done`},
		notWant:   []string{"\x1b", "\x00", "\x07", "\x08"},
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			causes, _ := result.RootCauses([]result.Spec{tt.spec})
			PrintSpec(&b, tt.spec, causes)
			out := b.String()
			if !strings.HasSuffix(out, "\n") {
				t.Errorf("PrintSpec() = %q, want it to end in a newline", out)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if lines[0] != tt.wantFirst {
				t.Errorf("PrintSpec() first line = %q, want %q", lines[0], tt.wantFirst)
			}
			if tt.wantLines != 0 && len(lines) != tt.wantLines {
				t.Errorf("PrintSpec() = %d lines, want %d:\n%s", len(lines), tt.wantLines, out)
			}
			for _, sub := range tt.want {
				if !strings.Contains(out, sub) {
					t.Errorf("PrintSpec() does not contain %q:\n%s", sub, out)
				}
			}
			for _, sub := range tt.notWant {
				if strings.Contains(out, sub) {
					t.Errorf("PrintSpec() contains %q:\n%s", sub, out)
				}
			}
			for i, l := range lines[1:] {
				if !strings.HasPrefix(l, "      ") {
					t.Errorf("PrintSpec() line %d = %q, want it indented by six spaces", i+2, l)
				}
			}
		})
	}
}

func TestPrintSummary(t *testing.T) {
	r := sampleReport()
	var b bytes.Buffer
	PrintSummary(&b, r)
	out := b.String()
	for _, want := range []string{
		"\n7 specs: 2 passed, 2 failed, 1 warned, 0 waived, 0 blocked, 1 not judged, 0 out of scope in 2.5s\n",
		"not judged — give these to judge them:\n  AUTH_SECRET_KEY: JWT-TOKEN-002\n",
		"verdict: INTERRUPTED — embedded reference deployment\n",
		"\nwhat to fix, in this order (",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("PrintSummary() does not contain %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "setup failed") {
		t.Errorf("PrintSummary() mentions a setup failure without one:\n%s", out)
	}
	if i, j := strings.Index(out, "what to fix"), strings.Index(out, "verdict:"); i < 0 || j < i {
		t.Errorf("PrintSummary(): what to fix at %d, the verdict at %d: want what to fix just before the verdict:\n%s", i, j, out)
	}

	setup := &result.Report{SetupError: "browser: chromium not found", Target: result.Target{Description: "x"}, StartedAt: time.Unix(0, 0), FinishedAt: time.Unix(1, 0)}
	setup.Summarize()
	b.Reset()
	PrintSummary(&b, setup)
	for _, want := range []string{"0 specs: 0 passed", "setup failed: browser: chromium not found\n", "verdict: ERROR — x\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("PrintSummary(setup error) does not contain %q:\n%s", want, b.String())
		}
	}
}

// TestConsoleOneFindingPerCause is issue 22's noise: an app that skips
// signature verification showed one code in five probes and printed the
// fix five times; blocked specs each repeated the blocker's error. Now
// the fix prints once, every probe's observation is listed under it, and
// the blocked specs are one line naming the spec and cause that blocked
// them.
func TestConsoleOneFindingPerCause(t *testing.T) {
	fix := "Verify the HS256 signature with AUTH_SECRET_KEY on every request."
	var probes []diag.Diagnostic
	for _, p := range []string{"other-key-HS256", "other-key-HS384", "other-key-HS512", "tampered-payload", "stripped-signature"} {
		probes = append(probes, diag.New(diag.AppAcceptsBadSignature, "a refusal", "probe "+p+" was accepted: HTTP 200").WithFix(fix))
	}
	unreachable := diag.New(diag.AppUnreachable, "an answer", "connection refused to app.acme.test:443")
	r := &result.Report{Target: result.Target{Description: "t"}, Specs: []result.Spec{
		{ID: result.JWTApp001, Title: "app", State: result.StateFailed, Diagnostics: []diag.Diagnostic{unreachable}},
		{ID: result.JWTApp005, Title: "signatures", State: result.StateFailed, Diagnostics: probes},
	}}
	const blockedReason = "the app could not be probed: Get \"https://app.acme.test/api/me\": connection refused"
	for _, id := range []result.SpecID{result.JWTApp002, result.JWTApp003, result.JWTApp004, result.JWTCookie002} {
		r.Specs = append(r.Specs, result.Spec{ID: id, Title: "blocked one", State: result.StateBlocked, BlockedBy: result.JWTApp001, Reason: blockedReason})
	}
	r.Summarize()
	var b bytes.Buffer
	causes, _ := r.Causes()
	for _, s := range r.Specs {
		if Listed(s.State) {
			PrintSpec(&b, s, causes)
		}
	}
	PrintSummary(&b, r)
	out := b.String()
	if n := strings.Count(out, fix); n != 1 {
		t.Errorf("the fix is printed %d times, want once:\n%s", n, out)
	}
	for _, p := range probes {
		if n := strings.Count(out, p.Observed); n != 1 {
			t.Errorf("observation %q printed %d times, want once:\n%s", p.Observed, n, out)
		}
	}
	// The catalogue's hypotheses name the error too ("the observation
	// says connection refused"): count the observation itself.
	if n := strings.Count(out, unreachable.Observed); n != 1 {
		t.Errorf("the blocker's error is printed %d times, want once (in what to fix):\n%s", n, out)
	}
	if strings.Contains(out, "BLKD") {
		t.Errorf("blocked specs have a line each:\n%s", out)
	}
	want := "  4 specs blocked by JWT-APP-001 (APP_UNREACHABLE app cannot be reached): JWT-APP-002, JWT-APP-003, JWT-APP-004, JWT-COOKIE-002\n"
	if !strings.Contains(out, want) {
		t.Errorf("no blocked line %q:\n%s", want, out)
	}
	for _, want := range []string{" 1. APP_UNREACHABLE (fail) app cannot be reached — JWT-APP-001; blocks 4 specs\n",
		" 2. APP_ACCEPTS_BAD_SIGNATURE (critical) app accepts a token with a bad signature — JWT-APP-005 (5 findings)\n",
		"      APP_ACCEPTS_BAD_SIGNATURE (critical) app accepts a token with a bad signature (5 findings) — fix #2 below\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("console lacks %q:\n%s", want, out)
		}
	}
}
