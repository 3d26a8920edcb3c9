package sbcheck

import (
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/diag"
)

func TestCheckURL(t *testing.T) {
	const host = testRef + ".supabase.co"
	tests := []struct {
		name       string
		raw        string
		want       []diag.Code
		wantOrigin string
		wantHost   string
		wantRef    string
		// wantObserved are substrings of the diagnostic's observation.
		wantObserved []string
		// notObserved must not appear in it.
		notObserved []string
	}{
		{name: "empty", raw: "", want: []diag.Code{diag.SupabaseURLMissing}},
		{name: "whitespace only", raw: " \n\t", want: []diag.Code{diag.SupabaseURLMissing}},

		{name: "hosted origin", raw: testURL,
			wantOrigin: testURL, wantHost: host, wantRef: testRef},
		{name: "hosted origin with trailing slash", raw: testURL + "/",
			wantOrigin: testURL, wantHost: host, wantRef: testRef},
		{name: "self-hosted origin with port", raw: "https://supabase.acme.test:8443",
			wantOrigin: "https://supabase.acme.test:8443", wantHost: "supabase.acme.test", wantRef: "supabase"},
		{name: "self-hosted origin with port and trailing slash", raw: "https://localhost:54321/",
			wantOrigin: "https://localhost:54321", wantHost: "localhost", wantRef: "localhost"},

		{name: "http", raw: "http://" + host, want: []diag.Code{diag.SupabaseURLInvalid},
			wantOrigin: testURL, wantHost: host, wantRef: testRef,
			wantObserved: []string{"http:// instead of https://"}},
		{name: "http with port", raw: "http://localhost:8000", want: []diag.Code{diag.SupabaseURLInvalid},
			wantOrigin: "https://localhost:8000", wantHost: "localhost", wantRef: "localhost",
			wantObserved: []string{"http:// instead of https://"}},
		{name: "other scheme", raw: "ftp://" + host, want: []diag.Code{diag.SupabaseURLInvalid},
			wantOrigin: testURL, wantHost: host, wantRef: testRef,
			wantObserved: []string{"scheme ftp://"}},

		{name: "auth/v1 suffix", raw: testURL + "/auth/v1", want: []diag.Code{diag.SupabaseURLInvalid},
			wantOrigin: testURL, wantHost: host, wantRef: testRef,
			wantObserved: []string{"a path /auth/v1", "/auth/v1/auth/v1/", "404"}},
		{name: "auth/v1/ suffix", raw: testURL + "/auth/v1/", want: []diag.Code{diag.SupabaseURLInvalid},
			wantOrigin: testURL, wantHost: host, wantRef: testRef,
			wantObserved: []string{"/auth/v1/auth/v1/"}},
		{name: "rest/v1/ suffix", raw: testURL + "/rest/v1/", want: []diag.Code{diag.SupabaseURLInvalid},
			wantOrigin: testURL, wantHost: host, wantRef: testRef,
			wantObserved: []string{"a path /rest/v1", "/rest/v1/rest/v1/"}},
		{name: "other path", raw: testURL + "/project", want: []diag.Code{diag.SupabaseURLInvalid},
			wantOrigin: testURL, wantHost: host, wantRef: testRef,
			wantObserved: []string{"a path /project"}, notObserved: []string{"supabase-js appends"}},

		{name: "double quotes", raw: `"` + testURL + `"`, want: []diag.Code{diag.SupabaseURLInvalid},
			wantOrigin: testURL, wantHost: host, wantRef: testRef,
			wantObserved: []string{"wrapped in quotes"}},
		{name: "single quotes", raw: `'` + testURL + `'`, want: []diag.Code{diag.SupabaseURLInvalid},
			wantOrigin: testURL, wantHost: host, wantRef: testRef,
			wantObserved: []string{"wrapped in quotes"}},
		{name: "surrounding spaces", raw: "  " + testURL + " ", want: []diag.Code{diag.SupabaseURLInvalid},
			wantOrigin: testURL, wantHost: host, wantRef: testRef,
			wantObserved: []string{"surrounding whitespace"}},
		{name: "trailing newline", raw: testURL + "\n", want: []diag.Code{diag.SupabaseURLInvalid},
			wantOrigin: testURL, wantHost: host, wantRef: testRef,
			wantObserved: []string{"a newline"}},
		{name: "quotes and newline", raw: `"` + testURL + "\"\r\n", want: []diag.Code{diag.SupabaseURLInvalid},
			wantOrigin: testURL, wantHost: host, wantRef: testRef,
			wantObserved: []string{"whitespace", "quotes"}},
		{name: "query", raw: testURL + "?schema=public", want: []diag.Code{diag.SupabaseURLInvalid},
			wantOrigin: testURL, wantHost: host, wantRef: testRef,
			wantObserved: []string{"a query, fragment or user info"}},
		{name: "fragment", raw: testURL + "/#top", want: []diag.Code{diag.SupabaseURLInvalid},
			wantOrigin: testURL, wantHost: host, wantRef: testRef,
			wantObserved: []string{"a query, fragment or user info"}},
		{name: "user info", raw: "https://admin:hunter2-pw@" + host, want: []diag.Code{diag.SupabaseURLInvalid},
			wantOrigin: testURL, wantHost: host, wantRef: testRef,
			wantObserved: []string{"a query, fragment or user info"}, notObserved: []string{"hunter2-pw"}},

		{name: "garbage", raw: "not a url", want: []diag.Code{diag.SupabaseURLInvalid},
			wantObserved: []string{"not an absolute URL"}},
		{name: "relative path", raw: "/auth/v1", want: []diag.Code{diag.SupabaseURLInvalid},
			wantObserved: []string{"not an absolute URL"}},
		{name: "host without scheme", raw: host, want: []diag.Code{diag.SupabaseURLInvalid},
			wantObserved: []string{"not an absolute URL"}},
		{name: "host and port without scheme", raw: "localhost:8000", want: []diag.Code{diag.SupabaseURLInvalid},
			wantObserved: []string{"not an absolute URL"}},
		{name: "unparsable", raw: "://" + host, want: []diag.Code{diag.SupabaseURLInvalid},
			wantObserved: []string{"not an absolute URL"}},
		{name: "scheme only", raw: "https://", want: []diag.Code{diag.SupabaseURLInvalid},
			wantObserved: []string{"not an absolute URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ds := CheckURL(tt.raw)
			if !sameCodes(ds, tt.want) {
				t.Fatalf("CheckURL(%q) codes = %v, want %v (%v)", tt.raw, codes(ds), tt.want, ds)
			}
			if got.Origin != tt.wantOrigin {
				t.Errorf("CheckURL(%q) Origin = %q, want %q", tt.raw, got.Origin, tt.wantOrigin)
			}
			if got.Host != tt.wantHost {
				t.Errorf("CheckURL(%q) Host = %q, want %q", tt.raw, got.Host, tt.wantHost)
			}
			if got.Ref != tt.wantRef {
				t.Errorf("CheckURL(%q) Ref = %q, want %q", tt.raw, got.Ref, tt.wantRef)
			}
			text := ""
			for _, d := range ds {
				text += d.Observed + "\n"
			}
			for _, s := range tt.wantObserved {
				if !strings.Contains(text, s) {
					t.Errorf("CheckURL(%q) diagnostic lacks %q:\n%s", tt.raw, s, text)
				}
			}
			for _, s := range tt.notObserved {
				if strings.Contains(text, s) {
					t.Errorf("CheckURL(%q) diagnostic contains %q:\n%s", tt.raw, s, text)
				}
			}
		})
	}
}

// TestCheckURLOneDiagnostic: however many things are wrong, CheckURL
// reports them in one SUPABASE_URL_INVALID that lists each.
func TestCheckURLOneDiagnostic(t *testing.T) {
	raw := ` "http://` + testRef + `.supabase.co/auth/v1?x=1" `
	_, ds := CheckURL(raw)
	want := []diag.Code{diag.SupabaseURLInvalid}
	if !sameCodes(ds, want) {
		t.Fatalf("CheckURL(%q) codes = %v, want %v", raw, codes(ds), want)
	}
	for _, s := range []string{"whitespace", "quotes", "http://", "/auth/v1/auth/v1/", "query"} {
		if !strings.Contains(ds[0].Observed, s) {
			t.Errorf("CheckURL(%q) Observed = %q, want it to mention %q", raw, ds[0].Observed, s)
		}
	}
}

// TestCheckURLRefLowerCase: supabase-js derives the ref from
// new URL(supabaseUrl).hostname, which the WHATWG URL parser lower-cases,
// and the key's ref claim and the sb-<ref>-auth-token storage key are lower
// case; a host typed in capitals is still the same project.
func TestCheckURLRefLowerCase(t *testing.T) {
	raw := "https://ABCDEFGHIJKLMNOPQRST.Supabase.co"
	got, ds := CheckURL(raw)
	if len(ds) != 0 {
		t.Fatalf("CheckURL(%q) codes = %v, want none", raw, codes(ds))
	}
	if got.Ref != testRef {
		t.Errorf("CheckURL(%q) Ref = %q, want %q", raw, got.Ref, testRef)
	}
	if got.Host != testRef+".supabase.co" {
		t.Errorf("CheckURL(%q) Host = %q, want %q", raw, got.Host, testRef+".supabase.co")
	}
	key := readKey(t, legacyKey(t, testRef, "anon"))
	if ds, applies := CheckKeyProject(key, got); len(ds) != 0 || !applies {
		t.Errorf("CheckKeyProject(ref %s, CheckURL(%q)) = %v, %v, want none, true", testRef, raw, codes(ds), applies)
	}
}
