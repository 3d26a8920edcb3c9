package supabaseref

import (
	"net/http"
	"strings"
	"testing"
)

func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	d, c := start(t, nil)
	tests := []struct {
		name     string
		method   string
		path     string
		body     string
		want     int
		wantCode string
	}{
		{name: "not JSON", method: http.MethodPost, path: "/auth/v1/token?grant_type=password", body: "{", want: 400, wantCode: "bad_json"},
		{name: "wrong types", method: http.MethodPost, path: "/auth/v1/token?grant_type=password", body: `{"email":1}`, want: 400, wantCode: "bad_json"},
		{name: "body too large", method: http.MethodPost, path: "/auth/v1/signup", body: `{"email":"` + strings.Repeat("a", 1<<20) + `"}`, want: 413, wantCode: "request_entity_too_large"},
		{name: "unsupported grant", method: http.MethodPost, path: "/auth/v1/token?grant_type=magic", body: `{}`, want: 400, wantCode: "invalid_credentials"},
		{name: "wrong method", method: http.MethodDelete, path: "/auth/v1/token", want: 405},
		{name: "unknown path", method: http.MethodGet, path: "/auth/v1/nope", want: 404},
		{name: "garbage bearer", method: http.MethodGet, path: "/auth/v1/user", want: 403, wantCode: "bad_jwt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, d.ProjectURL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("apikey", d.AnonKey)
			req.Header.Set("Authorization", "Bearer a.b.c")
			res, err := c.Do(req)
			if err != nil {
				t.Fatalf("%s %s error = %v", tt.method, tt.path, err)
			}
			res.Body.Close()
			if res.StatusCode != tt.want || res.Header.Get("x-sb-error-code") != tt.wantCode {
				t.Errorf("%s %s = %d %q, want %d %q", tt.method, tt.path, res.StatusCode, res.Header.Get("x-sb-error-code"), tt.want, tt.wantCode)
			}
		})
	}
}
