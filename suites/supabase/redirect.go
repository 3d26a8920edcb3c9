package supabase

import (
	"net/url"
	"slices"
	"strings"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// Redirect is an answer of the project that points elsewhere instead of
// answering. mfconform follows none: its Go client stops at the first
// answer, and the supabase-js it runs in Chromium gets a fetch that
// refuses redirects (clientsite's driver.js and app.js), since every
// request carries the key and some the password or a token.
type Redirect struct {
	// Request is the method and path of the request, e.g. "POST
	// /auth/v1/token?grant_type=password".
	Request string
	Status  int
	// Location is where the redirect points, absolute, with any password
	// in it hidden; "" when the answer named none.
	Location string
	// CrossOrigin: Location is on another origin than the request.
	CrossOrigin bool
}

// maxLocation bounds the Location shown.
const maxLocation = 300

// redirectStatus reports whether an HTTP status sends a client elsewhere
// (304 Not Modified does not).
func redirectStatus(status int) bool {
	return status >= 300 && status < 400 && status != 304
}

// newRedirect describes the answer status with Location header location
// to method on from, or returns nil when status is no redirect.
func newRedirect(method string, from *url.URL, status int, location string) *Redirect {
	if from == nil || !redirectStatus(status) {
		return nil
	}
	rd := &Redirect{Request: method + " " + from.RequestURI(), Status: status}
	if location == "" {
		return rd
	}
	to, err := from.Parse(location)
	if err != nil {
		rd.Location = location
		rd.CrossOrigin = true // not even a URL: not the project's
		return rd
	}
	rd.CrossOrigin = !strings.EqualFold(to.Scheme, from.Scheme) || !strings.EqualFold(to.Host, from.Host)
	rd.Location = to.Redacted()
	return rd
}

// browserRedirects are the redirects among a session's exchanges with the
// project at origin, each once (the CORS probe and supabase-js may meet
// the same one).
func browserRedirects(xs []browser.Exchange, origin string) []Redirect {
	var out []Redirect
	for _, x := range xs {
		if !strings.HasPrefix(x.URL, origin+"/") {
			continue
		}
		from, err := url.Parse(x.URL)
		if err != nil {
			continue
		}
		if rd := newRedirect(x.Method, from, x.Status, x.Header("location")); rd != nil && !slices.Contains(out, *rd) {
			out = append(out, *rd)
		}
	}
	return out
}

// Finding is the diagnostic of the redirect: the project did not answer
// what, it sent the client elsewhere.
func (rd Redirect) Finding(what string) diag.Diagnostic {
	where := "no Location"
	if rd.Location != "" {
		where = result.Clean(rd.Location)
		if r := []rune(where); len(r) > maxLocation {
			where = string(r[:maxLocation]) + "…"
		}
		if rd.CrossOrigin {
			where += " — another origin"
		} else {
			where += " — the same origin"
		}
	}
	return diag.Newf(diag.SupabaseRedirects, "an answer from the project itself to "+what,
		"%s: HTTP %d to %s; not followed", rd.Request, rd.Status, where)
}
