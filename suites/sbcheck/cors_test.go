package sbcheck

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestCORSRefusal(t *testing.T) {
	const app = "https://app.example.com"
	get := CORSRequest{Origin: app, Method: "GET", Headers: []string{"apikey", "Authorization", "X-Client-Info", "X-Supabase-Api-Version"}}
	post := CORSRequest{Origin: app, Method: "POST", Headers: append(slices.Clone(get.Headers), "Content-Type")}
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	kong := h("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "GET,POST,PUT,PATCH,DELETE,OPTIONS",
		"Access-Control-Allow-Headers", "apikey,authorization,content-type,x-client-info,x-supabase-api-version")
	tests := []struct {
		name      string
		req       CORSRequest
		status    int
		preflight http.Header
		actual    http.Header
		want      string // substring of the refusal; "" allowed
	}{
		{"Kong: * and the requested headers echoed", post, 200, kong, h("Access-Control-Allow-Origin", "*"), ""},
		{"the origin echoed", get, 204, h("Access-Control-Allow-Origin", app, "Access-Control-Allow-Headers", "APIKEY, Authorization, x-client-info, x-supabase-api-version"),
			h("Access-Control-Allow-Origin", app), ""},
		{"another origin allowed only", get, 200, h("Access-Control-Allow-Origin", "https://another-app.example", "Access-Control-Allow-Headers", "*, authorization"),
			h("Access-Control-Allow-Origin", "https://another-app.example"), `preflight: Access-Control-Allow-Origin is "https://another-app.example"`},
		{"no CORS headers on the preflight", get, 200, h(), h(), "preflight: no Access-Control-Allow-Origin"},
		{"preflight not ok", get, 401, kong, h("Access-Control-Allow-Origin", "*"), "preflight: HTTP 401"},
		{"preflight redirected", get, 301, kong, h("Access-Control-Allow-Origin", "*"), "preflight: HTTP 301"},
		{"GoTrue's own list: no apikey", post, 200, h("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", "Authorization, Content-Type, X-Client-Info, X-Supabase-Api-Version"),
			h("Access-Control-Allow-Origin", "*"), "does not allow apikey"},
		{"* covers apikey but not authorization", get, 200, h("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", "*"),
			h("Access-Control-Allow-Origin", "*"), "does not allow authorization"},
		{"* with authorization listed", get, 200, h("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", "*, Authorization"),
			h("Access-Control-Allow-Origin", "*"), ""},
		{"preflight allowed, the answer has no CORS header", get, 200, kong, h(), "answer: no Access-Control-Allow-Origin"},
		{"two Access-Control-Allow-Origin fields", get, 200, kong, h("Access-Control-Allow-Origin", app, "Access-Control-Allow-Origin", "*"), "answer: Access-Control-Allow-Origin is"},
		{"the origin with a trailing slash is not the origin", get, 200, kong, h("Access-Control-Allow-Origin", app+"/"), "answer:"},
		{"a method list that does not parse", get, 200, h("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "GET POST", "Access-Control-Allow-Headers", "*, authorization"),
			h("Access-Control-Allow-Origin", "*"), "Access-Control-Allow-Methods does not parse"},
		{"PUT needs the method listed", CORSRequest{Origin: app, Method: "PUT", Headers: []string{"apikey"}}, 200,
			h("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "GET, POST", "Access-Control-Allow-Headers", "apikey"), h("Access-Control-Allow-Origin", "*"), "does not allow PUT"},
		{"a simple request needs no preflight", CORSRequest{Origin: app, Method: "GET", Headers: []string{"Accept"}}, 0, nil, h("Access-Control-Allow-Origin", "*"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CORSRefusal(tt.req, tt.status, tt.preflight, tt.actual)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("CORSRefusal() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUnsafeHeaders(t *testing.T) {
	r := CORSRequest{Method: "POST", Headers: []string{"X-Client-Info", "apikey", "Accept", "Content-Type", "APIKEY", "Authorization"}}
	want := []string{"apikey", "authorization", "content-type", "x-client-info"}
	if got := r.UnsafeHeaders(); !slices.Equal(got, want) {
		t.Errorf("UnsafeHeaders() = %v, want %v", got, want)
	}
}

func TestSerializeOrigin(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"https://App.Example.com", "https://app.example.com"},
		{"https://app.example.com:443/", "https://app.example.com"},
		{"https://app.example.com:8443", "https://app.example.com:8443"},
		{"http://app.example.com:80", "http://app.example.com"},
		{" https://app.example.com/x ", "https://app.example.com"},
		{"https://[::1]:8443", "https://[::1]:8443"},
		{"ftp://app.example.com", ""},
		{"app.example.com", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := SerializeOrigin(tt.raw); got != tt.want {
			t.Errorf("SerializeOrigin(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}
