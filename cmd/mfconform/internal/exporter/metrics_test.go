package exporter

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mfconform/mfconform/suites/result"
)

// series gathers a registry into "name{k="v",…}" → value, labels sorted.
func series(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather() error = %v", err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			slices.Sort(labels)
			name := mf.GetName()
			if len(labels) > 0 {
				name += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.Gauge != nil:
				out[name] = m.Gauge.GetValue()
			case m.Counter != nil:
				out[name] = m.Counter.GetValue()
			}
		}
	}
	return out
}

var (
	finished = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tokenExp = finished.Add(90 * time.Second)
	certEnd  = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
)

// sampleReport is a JWT run with one failing spec, one warned one, an
// unknown spec, a token and a Set-Cookie line with Max-Age.
func sampleReport() *result.Report {
	jwt := []string{"mode:jwt", "area:cookie"}
	r := &result.Report{
		Verdict: result.VerdictNonConformant, Chromium: "Chrome/156.0.1", FinishedAt: finished,
		Bundles:  []result.Bundle{{Name: "jwt_login_flow", MS: 900}, {Name: "Bad Name {x}", MS: 1}},
		PhasesMS: map[string]float64{"browser_connect": 80},
		Target: result.Target{LoginURL: "https://login.acme.test/login?next=/x", Certificates: []result.Certificate{
			{Host: "login.acme.test", NotAfter: certEnd}, {Host: "bad host\"}", NotAfter: certEnd}}},
		Specs: []result.Spec{
			{ID: result.JWTCookie002, Labels: jwt, State: result.StateFailed, Diagnostics: []result.Diagnostic{
				{Code: "COOKIE_HOST_ONLY", Severity: result.Fail}, {Code: "COOKIE_HOST_ONLY", Severity: result.Fail},
				{Code: "NOT_A_CODE", Severity: result.Fail}, {Code: "COOKIE_NOT_HTTPONLY", Severity: result.Info}},
				Evidence: []result.Named{{Name: result.EvidenceSetCookie, Value: "mf_jwt_token=eyJ…(200 bytes); Domain=.acme.test; Max-Age=3600; Secure"}}},
			{ID: result.JWTToken007, Labels: []string{"mode:jwt", "area:token"}, State: result.StateWarned,
				Diagnostics: []result.Diagnostic{{Code: "TOKEN_LIFETIME_LONG", Severity: result.Warn}},
				Evidence:    []result.Named{{Name: result.EvidenceToken, Value: result.TokenView{Claims: map[string]any{"exp": float64(tokenExp.Unix())}}}}},
			{ID: result.JWTApp001, Labels: []string{"mode:jwt", "area:app"}, State: result.StatePassed},
			{ID: "USER-1234567-001", Labels: jwt, State: result.StateFailed, Diagnostics: []result.Diagnostic{{Code: "COOKIE_HOST_ONLY", Severity: result.Fail}}},
		},
	}
	return r
}

func TestProbeRegistry(t *testing.T) {
	// The same report as it comes back from report.json: evidence values
	// are JSON objects then.
	b, err := json.Marshal(sampleReport())
	if err != nil {
		t.Fatal(err)
	}
	var fromJSON result.Report
	if err := json.Unmarshal(b, &fromJSON); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		out     Outcome
		age     time.Duration
		want    map[string]float64
		notWant []string
	}{
		{
			name: "a failing run",
			out:  Outcome{Run: Run{Report: sampleReport(), Duration: 2 * time.Second}},
			want: map[string]float64{
				`mfconform_probe_success`:                                                            0,
				`mfconform_probe_cache_age_seconds`:                                                  0,
				`mfconform_verdict{verdict="not conformant"}`:                                        1,
				`mfconform_verdict{verdict="conformant"}`:                                            0,
				`mfconform_verdict{verdict="none"}`:                                                  0,
				`mfconform_spec_state{spec="JWT-COOKIE-002",state="failed"}`:                         1,
				`mfconform_spec_state{spec="JWT-COOKIE-002",state="passed"}`:                         0,
				`mfconform_spec_state{spec="JWT-APP-001",state="passed"}`:                            1,
				`mfconform_spec_state{spec="JWT-TOKEN-007",state="warned"}`:                          1,
				`mfconform_finding{code="COOKIE_HOST_ONLY",severity="fail",spec="JWT-COOKIE-002"}`:   1,
				`mfconform_finding{code="TOKEN_LIFETIME_LONG",severity="warn",spec="JWT-TOKEN-007"}`: 1,
				`mfconform_probe_duration_seconds{phase="total"}`:                                    2,
				`mfconform_probe_duration_seconds{phase="jwt_login_flow"}`:                           0.9,
				`mfconform_probe_duration_seconds{phase="browser_connect"}`:                          0.08,
				`mfconform_token_expires_in_seconds{mode="jwt"}`:                                     90,
				`mfconform_cookie_expires_in_seconds{mode="jwt"}`:                                    3600,
				`mfconform_certificate_expiry_timestamp_seconds{host="login.acme.test"}`:             float64(certEnd.Unix()),
				`mfconform_probe_info{chromium="Chrome/156.0.1",version="v1"}`:                       1,
			},
			notWant: []string{`NOT_A_CODE`, `USER-1234567-001`, `COOKIE_NOT_HTTPONLY`, `Bad Name`, `bad host`, `mfconform_probe_error_info{`, `login?next`},
		},
		{
			name: "the same run read back from report.json",
			out:  Outcome{Run: Run{Report: &fromJSON, Duration: 2 * time.Second}},
			want: map[string]float64{
				`mfconform_token_expires_in_seconds{mode="jwt"}`:                                   90,
				`mfconform_cookie_expires_in_seconds{mode="jwt"}`:                                  3600,
				`mfconform_finding{code="COOKIE_HOST_ONLY",severity="fail",spec="JWT-COOKIE-002"}`: 1,
			},
		},
		{
			name: "a cached success",
			out:  Outcome{Success: true, Run: Run{Report: &result.Report{Verdict: result.VerdictConformant, FinishedAt: finished}}},
			age:  42 * time.Second,
			want: map[string]float64{
				`mfconform_probe_success`:                     1,
				`mfconform_probe_cache_age_seconds`:           42,
				`mfconform_verdict{verdict="conformant"}`:     1,
				`mfconform_verdict{verdict="not conformant"}`: 0,
			},
			notWant: []string{`mfconform_token_expires_in_seconds`, `mfconform_cookie_expires_in_seconds`, `mfconform_finding{`},
		},
		{
			name: "a timeout: no report",
			out:  Outcome{Run: Run{Reason: ReasonTimeout, Duration: 9 * time.Second}},
			want: map[string]float64{
				`mfconform_probe_success`:                         0,
				`mfconform_verdict{verdict="none"}`:               1,
				`mfconform_verdict{verdict="conformant"}`:         0,
				`mfconform_probe_error_info{reason="timeout"}`:    1,
				`mfconform_probe_duration_seconds{phase="total"}`: 9,
			},
			notWant: []string{`mfconform_spec_state{`, `mfconform_probe_info{`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := series(t, ProbeRegistry(tt.out, tt.age, "v1"))
			for k, v := range tt.want {
				g, ok := got[k]
				if !ok {
					t.Errorf("no series %s", k)
				} else if diff := g - v; diff > 0.001 || diff < -0.001 {
					t.Errorf("%s = %v, want %v", k, g, v)
				}
			}
			for k := range got {
				for _, bad := range tt.notWant {
					if strings.Contains(k, bad) {
						t.Errorf("series %s, want none with %s", k, bad)
					}
				}
			}
		})
	}
}

// TestProbeRegistryOneHot: every known spec has one series per state,
// exactly one of them 1, and the verdict exactly one value at 1.
func TestProbeRegistryOneHot(t *testing.T) {
	got := series(t, ProbeRegistry(Outcome{Run: Run{Report: sampleReport()}}, 0, "v1"))
	states, ones := map[string]int{}, map[string]int{}
	verdicts := 0
	for k, v := range got {
		if spec, ok := strings.CutPrefix(k, "mfconform_spec_state{spec="); ok {
			spec, _, _ = strings.Cut(spec, ",")
			states[spec]++
			ones[spec] += int(v)
		}
		if strings.HasPrefix(k, "mfconform_verdict{") {
			verdicts += int(v)
		}
	}
	if len(states) != 3 {
		t.Errorf("specs with states = %v, want the 3 known ones", states)
	}
	for spec, n := range states {
		if n != len(result.States) || ones[spec] != 1 {
			t.Errorf("spec %s: %d state series, %d at 1; want %d and 1", spec, n, ones[spec], len(result.States))
		}
	}
	if verdicts != 1 {
		t.Errorf("%d verdicts at 1, want 1", verdicts)
	}
}

func TestCookieLifetimeExpires(t *testing.T) {
	r := &result.Report{FinishedAt: finished, Specs: []result.Spec{{ID: result.JWTCookie002, Labels: []string{"mode:jwt"},
		Evidence: []result.Named{{Name: result.EvidenceSetCookie, Value: "mf_jwt_token=x; Expires=" + finished.Add(-time.Hour).Format("Mon, 02 Jan 2006 15:04:05 GMT")}}}}}
	if got := cookieLifetimes(r, finished); got["jwt"] != -3600 {
		t.Errorf("cookieLifetimes() = %v, want jwt -3600 (expired an hour before the run)", got)
	}
	r.Specs[0].Evidence[0].Value = "mf_jwt_token=x; Path=/"
	if got := cookieLifetimes(r, finished); len(got) != 0 {
		t.Errorf("cookieLifetimes() of a session cookie = %v, want none", got)
	}
}
