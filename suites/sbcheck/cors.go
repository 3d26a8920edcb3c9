package sbcheck

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// CORSRequest is a cross-origin request as a page at Origin makes it with
// fetch(…, {mode: "cors", credentials: "same-origin"}), as supabase-js
// does: its method and the names of the headers it sets.
type CORSRequest struct {
	Origin  string
	Method  string
	Headers []string
}

// corsSafelistedMethods are the Fetch Standard's CORS-safelisted methods
// (https://fetch.spec.whatwg.org/#cors-safelisted-method).
var corsSafelistedMethods = []string{"GET", "HEAD", "POST"}

// UnsafeHeaders are the request's CORS-unsafe request-header names, lower
// case and sorted — what a browser lists in Access-Control-Request-Headers
// (https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names).
// supabase-js's headers (apikey, authorization, x-client-info,
// x-supabase-api-version, content-type: application/json) are all unsafe;
// only accept, accept-language and content-language are taken as safe
// here (a content-type is only safe with a form or text/plain value, which
// supabase-js never sends).
func (r CORSRequest) UnsafeHeaders() []string {
	var out []string
	for _, h := range r.Headers {
		h = strings.ToLower(h)
		switch h {
		case "accept", "accept-language", "content-language":
			continue
		}
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	slices.Sort(out)
	return out
}

// NeedsPreflight reports whether a browser asks the server first.
func (r CORSRequest) NeedsPreflight() bool {
	return len(r.UnsafeHeaders()) > 0 || !slices.Contains(corsSafelistedMethods, r.Method)
}

// CORSRefusal says why a browser would refuse the page at r.Origin the
// answer to r — "" when it would let the page read it — following the
// Fetch Standard for a request whose credentials mode is not "include":
// the CORS-preflight fetch (§4.8: an ok status, a CORS check, the methods
// and header names the preflight allows, where "*" covers every name but
// authorization) and the CORS check of the actual answer (§4.9:
// Access-Control-Allow-Origin is "*" or the origin itself, byte for byte).
// preflightStatus and preflight are the answer to the OPTIONS request
// (ignored when r needs none); actual is the actual answer's header.
func CORSRefusal(r CORSRequest, preflightStatus int, preflight, actual http.Header) string {
	if r.NeedsPreflight() {
		if why := corsCheck(r.Origin, preflight); why != "" {
			return "preflight: " + why
		}
		if preflightStatus < 200 || preflightStatus > 299 {
			return fmt.Sprintf("preflight: HTTP %d, not an ok status", preflightStatus)
		}
		methods, ok := headerList(preflight, "Access-Control-Allow-Methods")
		if !ok {
			return "preflight: Access-Control-Allow-Methods does not parse"
		}
		names, ok := headerList(preflight, "Access-Control-Allow-Headers")
		if !ok {
			return "preflight: Access-Control-Allow-Headers does not parse"
		}
		if !slices.Contains(methods, r.Method) && !slices.Contains(corsSafelistedMethods, r.Method) && !slices.Contains(methods, "*") {
			return "preflight: Access-Control-Allow-Methods does not allow " + r.Method
		}
		var missing []string
		for _, h := range r.UnsafeHeaders() {
			listed := slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, h) })
			// "*" stands for every name except authorization, the CORS
			// non-wildcard request-header name.
			if !listed && (h == "authorization" || !slices.Contains(names, "*")) {
				missing = append(missing, h)
			}
		}
		if len(missing) > 0 {
			return "preflight: Access-Control-Allow-Headers does not allow " + strings.Join(missing, ", ")
		}
	}
	if why := corsCheck(r.Origin, actual); why != "" {
		return "answer: " + why
	}
	return ""
}

// corsCheck is the Fetch Standard's CORS check of an answer's header for a
// request whose credentials mode is not "include".
func corsCheck(origin string, h http.Header) string {
	vs := h.Values("Access-Control-Allow-Origin")
	if len(vs) == 0 {
		return "no Access-Control-Allow-Origin"
	}
	// Several fields combine into one value ("a, b"), which matches no
	// origin.
	got := strings.Join(vs, ", ")
	if got == "*" || got == origin {
		return ""
	}
	return fmt.Sprintf("Access-Control-Allow-Origin is %q, not %s or *", got, origin)
}

// headerList extracts a comma-separated list of tokens (the Fetch
// Standard's "extracting header list values"); absent is an empty list,
// and a value that is not a list of tokens does not parse.
func headerList(h http.Header, name string) ([]string, bool) {
	var out []string
	for _, v := range h.Values(name) {
		for _, item := range strings.Split(v, ",") {
			item = strings.Trim(item, " \t")
			if item == "" {
				continue
			}
			if strings.IndexFunc(item, func(r rune) bool { return !isTokenChar(r) }) >= 0 {
				return nil, false
			}
			out = append(out, item)
		}
	}
	return out, true
}

// isTokenChar reports whether r may appear in an HTTP token (RFC 9110
// §5.6.2).
func isTokenChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

// SerializeOrigin is the origin of an http(s) URL as a browser serializes
// it in the Origin header: scheme, lower-case host, and the port only when
// it is not the scheme's default; "" when raw has none.
func SerializeOrigin(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Hostname() == "" || u.Scheme != "https" && u.Scheme != "http" {
		return ""
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" || u.Scheme == "https" && port == "443" || u.Scheme == "http" && port == "80" {
		return u.Scheme + "://" + host
	}
	return u.Scheme + "://" + host + ":" + port
}
