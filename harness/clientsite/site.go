// Package clientsite serves the pages that play the Miiflow frontend in
// Supabase mode, on the app's own origin: mfconform's driver page, which
// loads the real supabase-js browser bundle and a driver script whose
// functions chromedp calls, and the reference app under /app/ — a sign-in
// page, a dashboard and a home page whose Supabase client keeps its session
// the way the app's profile says (@supabase/ssr cookies, supabase-js
// localStorage, …).
package clientsite

import (
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/mfconform/mfconform/harness/httpserve"
	"github.com/mfconform/mfconform/harness/pki"
)

// Paths the site serves.
const (
	// PagePath is the page to navigate to.
	PagePath = "/mfconform/supabase"
	// BundlePath serves supabase-js's browser bundle.
	BundlePath = "/mfconform/supabase.js"
	// DriverPath serves driver.js.
	DriverPath = "/mfconform/driver.js"
	// SSRBundlePath serves the @supabase/ssr browser bundle.
	SSRBundlePath = "/mfconform/supabase-ssr.js"
	// AppScriptPath serves app.js, the reference app's code.
	AppScriptPath = "/mfconform/app.js"
)

// driverJS defines window.mfCorsProbe and window.mfSupabaseRun.
//
//go:embed driver.js
var driverJS []byte

// pageCSP allows scripts from the site only and requests to anywhere, so
// the probes see CORS verdicts and never CSP ones.
const pageCSP = "default-src 'none'; script-src 'self'; connect-src *; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mfconform: Supabase client</title>
<script src="{{.Bundle}}"></script>
<script src="{{.Driver}}"></script>
</head>
<body><h1>mfconform Supabase client</h1>
<p>This page loads the real supabase-js browser bundle; mfconform drives it.</p>
</body></html>
`))

// Site is a running client site.
type Site struct {
	// URL is the site's origin, https://<host>:<port>.
	URL string
	srv *httpserve.Server
}

// Options configure a client site.
type Options struct {
	// Host is the app's host name, without port.
	Host string
	// Bundle is supabase-js's browser bundle (FindBundle).
	Bundle *Bundle
	// SSRBundle is the @supabase/ssr browser bundle (FindSSRBundle); with
	// App it serves the reference app.
	SSRBundle *Bundle
	// App, when set, is the reference app served under /app/.
	App *App
	CA  *pki.Authority
	// Addr is the loopback address to bind, with or without a port (""
	// is 127.0.0.1 on a free port): a test serves an app that only
	// another address reaches.
	Addr string
}

// Start serves the driver page on host at 127.0.0.1:0 with TLS from
// ca.ServerTLS(), answering 421 to other Host headers, with bundle
// (FindBundle's answer) as supabase-js. Close the site when done.
func Start(host string, bundle *Bundle, ca *pki.Authority) (*Site, error) {
	return StartWith(Options{Host: host, Bundle: bundle, CA: ca})
}

// StartWith is Start with the reference app: with o.App and o.SSRBundle it
// also serves the app's pages under /app/ (AppPath, LoginPath,
// DashboardPath).
func StartWith(o Options) (*Site, error) {
	if o.Host == "" || strings.ContainsAny(o.Host, ":/ ") {
		return nil, fmt.Errorf("clientsite: bad host %q: want a host name without port", o.Host)
	}
	if o.CA == nil {
		return nil, errors.New("clientsite: no certificate authority")
	}
	if o.Bundle == nil || len(o.Bundle.Data) == 0 {
		return nil, fmt.Errorf("clientsite: %w: no supabase-js bundle given; %s", ErrBundleMissing, BundleHint())
	}
	var app *appHandler
	if o.App != nil {
		if o.SSRBundle == nil || len(o.SSRBundle.Data) == 0 {
			return nil, fmt.Errorf("clientsite: %w: no @supabase/ssr bundle given; %s", ErrBundleMissing, BundleHint())
		}
		var err error
		if app, err = newAppHandler(*o.App, o.Host, o.SSRBundle.Data); err != nil {
			return nil, err
		}
	}
	ln, port, err := httpserve.ListenOn(o.Addr)
	if err != nil {
		return nil, fmt.Errorf("clientsite: listen: %w", err)
	}
	return &Site{
		URL: "https://" + net.JoinHostPort(o.Host, strconv.Itoa(port)),
		srv: httpserve.Start(ln, o.Host, handler(o.Bundle.Data, app), o.CA),
	}, nil
}

// Close shuts the site down and waits until it has stopped. It is safe to
// call twice.
func (s *Site) Close() error {
	if s == nil {
		return nil
	}
	return s.srv.Close()
}

// handler serves the page, the bundle and the driver, and the app when
// there is one; everything else is 404.
func handler(bundle []byte, app *appHandler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PagePath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", pageCSP)
		noStore(w)
		data := struct{ Bundle, Driver string }{BundlePath, DriverPath}
		_ = page.Execute(w, data) // a write error means the client left
	})
	mux.HandleFunc("GET "+BundlePath, script(bundle))
	mux.HandleFunc("GET "+DriverPath, script(driverJS))
	if app != nil {
		app.register(mux)
	}
	mux.HandleFunc("/", http.NotFound)
	return mux
}

// script serves body as JavaScript.
func script(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/javascript; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		noStore(w)
		_, _ = w.Write(body)
	}
}

func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
}
