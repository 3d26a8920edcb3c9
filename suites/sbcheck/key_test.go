package sbcheck

import (
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/redact"
)

// readKeyCase is one ReadKey input and what it must yield. The cases are
// built by a function because legacy keys are minted per test; the
// redaction test reuses them.
type readKeyCase struct {
	name      string
	raw       string
	want      []diag.Code
	wantKind  KeyKind
	wantClean string
	wantRole  string
	wantRef   string
	wantIss   string
	wantExp   *time.Time
	// wantObserved are substrings of the diagnostic's observation.
	wantObserved []string
}

func readKeyCases(t *testing.T) []readKeyCase {
	t.Helper()
	anon := legacyKey(t, testRef, "anon")
	service := legacyKey(t, testRef, "service_role")
	demo := demoKey(t, "anon")
	noExp := mint(t, map[string]any{"iss": "supabase", "ref": testRef, "role": "anon", "iat": testNow.Unix()})
	exp := testNow.AddDate(10, 0, 0)
	demoExp := testNow.AddDate(5, 0, 0)
	malformed := []diag.Code{diag.SupabaseKeyMalformed}
	return []readKeyCase{
		{name: "empty", raw: "", want: []diag.Code{diag.SupabaseKeyMissing}, wantKind: KeyUnknown},
		{name: "whitespace only", raw: " \r\n", want: []diag.Code{diag.SupabaseKeyMissing}, wantKind: KeyUnknown},

		{name: "legacy anon JWT", raw: anon, wantKind: KeyLegacyJWT, wantClean: anon,
			wantRole: "anon", wantRef: testRef, wantIss: "supabase", wantExp: &exp},
		{name: "legacy service_role JWT", raw: service, wantKind: KeyLegacyJWT, wantClean: service,
			wantRole: "service_role", wantRef: testRef, wantIss: "supabase", wantExp: &exp},
		{name: "self-hosted demo key", raw: demo, wantKind: KeyLegacyJWT, wantClean: demo,
			wantRole: "anon", wantIss: "supabase-demo", wantExp: &demoExp},
		{name: "legacy JWT without exp", raw: noExp, wantKind: KeyLegacyJWT, wantClean: noExp,
			wantRole: "anon", wantRef: testRef, wantIss: "supabase"},
		{name: "publishable", raw: testPublishable, wantKind: KeyPublishable, wantClean: testPublishable},
		{name: "secret", raw: testSecretKey, wantKind: KeySecret, wantClean: testSecretKey},

		{name: "double-quoted publishable", raw: `"` + testPublishable + `"`, want: malformed,
			wantKind: KeyPublishable, wantClean: testPublishable, wantObserved: []string{"quotes"}},
		{name: "single-quoted anon JWT", raw: `'` + anon + `'`, want: malformed,
			wantKind: KeyLegacyJWT, wantClean: anon, wantRole: "anon", wantRef: testRef, wantIss: "supabase", wantExp: &exp,
			wantObserved: []string{"quotes"}},
		{name: "anon JWT with trailing newline", raw: anon + "\n", want: malformed,
			wantKind: KeyLegacyJWT, wantClean: anon, wantRole: "anon", wantRef: testRef, wantIss: "supabase", wantExp: &exp,
			wantObserved: []string{"a newline"}},
		{name: "publishable with CRLF", raw: testPublishable + "\r\n", want: malformed,
			wantKind: KeyPublishable, wantClean: testPublishable, wantObserved: []string{"a newline"}},
		{name: "secret with surrounding spaces", raw: "  " + testSecretKey + " ", want: malformed,
			wantKind: KeySecret, wantClean: testSecretKey, wantObserved: []string{"surrounding whitespace"}},
		{name: "quoted with trailing newline", raw: `"` + anon + "\"\n", want: malformed,
			wantKind: KeyLegacyJWT, wantClean: anon, wantRole: "anon", wantRef: testRef, wantIss: "supabase", wantExp: &exp,
			wantObserved: []string{"a newline", "quotes"}},

		{name: "random text", raw: "my-supabase-anon-key-goes-here", want: malformed,
			wantKind: KeyUnknown, wantClean: "my-supabase-anon-key-goes-here",
			wantObserved: []string{"neither a JWT nor an sb_publishable_/sb_secret_ key"}},
		{name: "publishable prefix, body too short", raw: "sb_publishable_abc", want: malformed,
			wantKind: KeyUnknown, wantClean: "sb_publishable_abc",
			wantObserved: []string{"neither a JWT"}},
		{name: "Bearer prefix", raw: "Bearer " + anon, want: malformed,
			wantKind: KeyUnknown, wantClean: "Bearer " + anon,
			wantObserved: []string{"neither a JWT"}},
		{name: "two-segment JWT", raw: anon[:strings.LastIndex(anon, ".")], want: malformed,
			wantKind: KeyUnknown, wantClean: anon[:strings.LastIndex(anon, ".")],
			wantObserved: []string{"neither a JWT"}},
	}
}

func TestReadKey(t *testing.T) {
	for _, tt := range readKeyCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			shown := redact.Prefix(tt.raw) // never a whole key in a message
			got, ds := ReadKey(tt.raw)
			if !sameCodes(ds, tt.want) {
				t.Fatalf("ReadKey(%s) codes = %v, want %v", shown, codes(ds), tt.want)
			}
			if got.Kind != tt.wantKind {
				t.Errorf("ReadKey(%s) Kind = %q, want %q", shown, got.Kind, tt.wantKind)
			}
			if got.Clean != tt.wantClean {
				t.Errorf("ReadKey(%s) Clean = %s, want %s", shown, redact.Prefix(got.Clean), redact.Prefix(tt.wantClean))
			}
			if got.Role != tt.wantRole {
				t.Errorf("ReadKey(%s) Role = %q, want %q", shown, got.Role, tt.wantRole)
			}
			if got.Ref != tt.wantRef {
				t.Errorf("ReadKey(%s) Ref = %q, want %q", shown, got.Ref, tt.wantRef)
			}
			if got.Issuer != tt.wantIss {
				t.Errorf("ReadKey(%s) Issuer = %q, want %q", shown, got.Issuer, tt.wantIss)
			}
			switch {
			case tt.wantExp == nil && got.Exp != nil:
				t.Errorf("ReadKey(%s) Exp = %v, want nil", shown, *got.Exp)
			case tt.wantExp != nil && got.Exp == nil:
				t.Errorf("ReadKey(%s) Exp = nil, want %v", shown, *tt.wantExp)
			case tt.wantExp != nil && !got.Exp.Equal(*tt.wantExp):
				t.Errorf("ReadKey(%s) Exp = %v, want %v", shown, *got.Exp, *tt.wantExp)
			}
			for _, s := range tt.wantObserved {
				if len(ds) == 0 || !strings.Contains(ds[0].Observed, s) {
					t.Errorf("ReadKey(%s) observation lacks %q: %v", shown, s, ds)
				}
			}
			if len(ds) == 1 && ds[0].Code == diag.SupabaseKeyMalformed {
				// The observation identifies the key by length and fingerprint only.
				fp := redact.Fingerprint([]byte(tt.wantClean))
				if !strings.Contains(ds[0].Observed, fp) {
					t.Errorf("ReadKey(%s) Observed = %q, want the fingerprint %s", shown, ds[0].Observed, fp)
				}
			}
		})
	}
}

func TestCheckKeyPublic(t *testing.T) {
	tests := []struct {
		name         string
		key          KeyInfo
		want         []diag.Code
		wantSeverity diag.Severity
		wantObserved string
	}{
		{name: "legacy anon", key: readKey(t, legacyKey(t, testRef, "anon"))},
		{name: "demo anon", key: readKey(t, demoKey(t, "anon"))},
		{name: "publishable", key: readKey(t, testPublishable)},
		{name: "unknown kind (ReadKey reported it)", key: KeyInfo{Kind: KeyUnknown, Clean: "whatever-this-is"}},
		{name: "legacy service_role", key: readKey(t, legacyKey(t, testRef, "service_role")),
			want: []diag.Code{diag.SupabaseKeyServiceRole}, wantSeverity: diag.Critical, wantObserved: "service_role"},
		{name: "demo service_role", key: readKey(t, demoKey(t, "service_role")),
			want: []diag.Code{diag.SupabaseKeyServiceRole}, wantSeverity: diag.Critical, wantObserved: "service_role"},
		{name: "sb_secret_", key: readKey(t, testSecretKey),
			want: []diag.Code{diag.SupabaseKeySecret}, wantSeverity: diag.Critical, wantObserved: "sb_secret_"},
		{name: "role authenticated", key: readKey(t, legacyKey(t, testRef, "authenticated")),
			want: []diag.Code{diag.SupabaseKeyMalformed}, wantSeverity: diag.Fail, wantObserved: `"authenticated"`},
		{name: "no role", key: readKey(t, mint(t, map[string]any{"iss": "supabase", "ref": testRef})),
			want: []diag.Code{diag.SupabaseKeyMalformed}, wantSeverity: diag.Fail, wantObserved: `""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := CheckKeyPublic(tt.key)
			if !sameCodes(ds, tt.want) {
				t.Fatalf("CheckKeyPublic(%s) codes = %v, want %v", tt.key, codes(ds), tt.want)
			}
			if len(ds) == 0 {
				return
			}
			if ds[0].Severity != tt.wantSeverity {
				t.Errorf("CheckKeyPublic(%s) severity = %s, want %s", tt.key, ds[0].Severity, tt.wantSeverity)
			}
			if !strings.Contains(ds[0].Observed, tt.wantObserved) {
				t.Errorf("CheckKeyPublic(%s) Observed = %q, want it to contain %q", tt.key, ds[0].Observed, tt.wantObserved)
			}
		})
	}
}

func TestCheckKeyProject(t *testing.T) {
	tests := []struct {
		name        string
		key         string
		url         string
		want        []diag.Code
		wantApplies bool
		wantObs     []string
	}{
		{name: "refs match", key: legacyKey(t, testRef, "anon"), url: testURL, wantApplies: true},
		{name: "refs match, URL has problems", key: legacyKey(t, testRef, "anon"), url: "http://" + testRef + ".supabase.co/auth/v1", wantApplies: true},
		{name: "refs differ", key: legacyKey(t, otherRef, "anon"), url: testURL,
			want: []diag.Code{diag.SupabaseKeyProjectMismatch}, wantApplies: true, wantObs: []string{otherRef, testRef}},
		{name: "no ref in key (self-hosted demo)", key: demoKey(t, "anon"), url: "https://supabase.acme.test"},
		{name: "publishable", key: testPublishable, url: testURL},
		{name: "secret", key: testSecretKey, url: testURL},
		{name: "unusable URL", key: legacyKey(t, testRef, "anon"), url: "not a url"},
		{name: "empty URL", key: legacyKey(t, testRef, "anon"), url: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := readKey(t, tt.key)
			u, _ := CheckURL(tt.url)
			ds, applies := CheckKeyProject(k, u)
			if !sameCodes(ds, tt.want) {
				t.Fatalf("CheckKeyProject(%s, %q) codes = %v, want %v", k, tt.url, codes(ds), tt.want)
			}
			if applies != tt.wantApplies {
				t.Errorf("CheckKeyProject(%s, %q) applies = %v, want %v", k, tt.url, applies, tt.wantApplies)
			}
			for _, s := range tt.wantObs {
				if !strings.Contains(ds[0].Observed, s) {
					t.Errorf("CheckKeyProject(%s, %q) Observed = %q, want it to contain %q", k, tt.url, ds[0].Observed, s)
				}
			}
		})
	}
}

func TestCheckKeyExpiry(t *testing.T) {
	past := testNow.Add(-36 * time.Hour)
	tests := []struct {
		name    string
		key     KeyInfo
		want    []diag.Code
		wantObs []string
	}{
		{name: "future exp", key: readKey(t, legacyKey(t, testRef, "anon"))},
		{name: "past exp", key: readKey(t, mint(t, map[string]any{
			"iss": "supabase", "ref": testRef, "role": "anon",
			"iat": past.AddDate(-1, 0, 0).Unix(), "exp": past.Unix(),
		})), want: []diag.Code{diag.SupabaseKeyExpired}, wantObs: []string{past.Format(time.RFC3339), "36h0m0s ago"}},
		{name: "exp equals now", key: KeyInfo{Kind: KeyLegacyJWT, Role: "anon", Exp: timePtr(testNow)},
			want: []diag.Code{diag.SupabaseKeyExpired}},
		{name: "exp one second ahead", key: KeyInfo{Kind: KeyLegacyJWT, Role: "anon", Exp: timePtr(testNow.Add(time.Second))}},
		{name: "no exp", key: readKey(t, mint(t, map[string]any{"iss": "supabase", "ref": testRef, "role": "anon"}))},
		{name: "publishable", key: readKey(t, testPublishable)},
		{name: "not a legacy key, past Exp set", key: KeyInfo{Kind: KeyPublishable, Exp: timePtr(past)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := CheckKeyExpiry(tt.key, testNow)
			if !sameCodes(ds, tt.want) {
				t.Fatalf("CheckKeyExpiry(%s, %s) codes = %v, want %v", tt.key, testNow.Format(time.RFC3339), codes(ds), tt.want)
			}
			for _, s := range tt.wantObs {
				if !strings.Contains(ds[0].Observed, s) {
					t.Errorf("CheckKeyExpiry(%s) Observed = %q, want it to contain %q", tt.key, ds[0].Observed, s)
				}
			}
		})
	}
}
