package reference

import (
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Embed page limits.
const (
	// EmbedTimeoutMillis is how long the embed page waits for the fetch and
	// the iframe before window.mfEmbedDone resolves anyway.
	EmbedTimeoutMillis = 5000
	// EmbedBodyLimit is how many characters of the fetch's body the page
	// keeps in window.mfEmbed.fetchBody.
	EmbedBodyLimit = 2000
	// DefaultProbe is the app path the embed page fetches when no probe is
	// given.
	DefaultProbe = "/api/me"
)

// EmbedHandler returns the handler of the embed site, a page of another site
// that embeds the app. GET /embed?app=<app origin>&probe=<path> serves a page
// with an iframe of <app>/ (id app-frame), a link to it (id app-link), and a
// script that fetches <app><probe> with credentials (mode cors, no cache).
// frame=<URL> and fetch=<URL> name the iframe's page and the fetched URL
// directly instead (an operator's own app page, a path of its own); either
// alone serves for both. The script sets window.mfEmbed = {fetchStatus,
// fetchBody, fetchError, frameLoaded} and window.mfEmbedDone, a Promise
// resolved with window.mfEmbed once the fetch settled and the iframe fired
// load, or after EmbedTimeoutMillis. app must be an absolute http(s) origin,
// probe a path starting with a single "/", frame and fetch absolute http(s)
// URLs without credentials or fragment; anything else is answered 400.
func EmbedHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /embed", serveEmbed)
	return mux
}

var embedPage = template.Must(template.New("embed").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Another site embedding the app</title>
<script>
(function () {
  var target = {{.Fetch}};
  var state = {fetchStatus: 0, fetchBody: "", fetchError: "", frameLoaded: false};
  var fetchDone = false, frameDone = false, resolveDone;
  window.mfEmbed = state;
  window.mfEmbedDone = new Promise(function (resolve) { resolveDone = resolve; });
  function check() { if (fetchDone && frameDone) { resolveDone(state); } }
  setTimeout(function () { resolveDone(state); }, {{.TimeoutMillis}});
  window.mfFrameLoaded = function () { state.frameLoaded = true; frameDone = true; check(); };
  fetch(target, {credentials: "include", mode: "cors", cache: "no-store"})
    .then(function (r) { state.fetchStatus = r.status; return r.text(); })
    .then(function (t) { state.fetchBody = t.slice(0, {{.BodyLimit}}); })
    .catch(function (e) { state.fetchError = String((e && e.message) || e); })
    .finally(function () { fetchDone = true; check(); });
})();
</script></head>
<body>
<h1>Another site</h1>
<p><a id="app-link" href="{{.Frame}}">open the app</a></p>
<iframe id="app-frame" src="{{.Frame}}" onload="window.mfFrameLoaded()" width="800" height="300"></iframe>
</body></html>
`))

// serveEmbed validates app and probe, or frame and fetch, and renders the
// embed page.
func serveEmbed(w http.ResponseWriter, r *http.Request) {
	frame, fetch, msg := embedTargets(r.URL.Query())
	if msg != "" {
		http.Error(w, "embed: "+msg, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	data := struct {
		Frame, Fetch             string
		TimeoutMillis, BodyLimit int
	}{frame, fetch, EmbedTimeoutMillis, EmbedBodyLimit}
	_ = embedPage.Execute(w, data) // a write error means the client left
}

// embedTargets reads the page to frame and the URL to fetch from the
// query: frame and fetch as given (either alone serves for both), or
// <app>/ and <app><probe>; msg says what is wrong, "" when nothing is.
func embedTargets(q url.Values) (frame, fetch, msg string) {
	frame, fetch = q.Get("frame"), q.Get("fetch")
	if frame != "" || fetch != "" {
		if frame == "" {
			frame = fetch
		}
		if fetch == "" {
			fetch = frame
		}
		for _, u := range []string{frame, fetch} {
			if !pageURL(u) {
				return "", "", "frame and fetch must be absolute http(s) URLs without credentials or fragment"
			}
		}
		return frame, fetch, ""
	}
	app, ok := appOrigin(q.Get("app"))
	if !ok {
		return "", "", "app must be an absolute http(s) origin such as https://app.example.com"
	}
	probe := q.Get("probe")
	if probe == "" {
		probe = DefaultProbe
	}
	if !strings.HasPrefix(probe, "/") || strings.HasPrefix(probe, "//") || strings.ContainsAny(probe, "\\\r\n\t") {
		return "", "", "probe must be a path starting with /"
	}
	return app + "/", app + probe, ""
}

// pageURL reports whether s is an absolute http(s) URL of a page: a valid
// host, no credentials, no fragment, no control characters.
func pageURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Hostname() != "" && u.User == nil &&
		u.Fragment == "" && !strings.ContainsAny(s, "\\\r\n\t\"<> ") && validHost(u.Hostname(), u.Port())
}

// appOrigin validates s as an absolute http or https origin and returns it
// without a trailing slash.
func appOrigin(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Hostname() == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" ||
		!validHost(u.Hostname(), u.Port()) {
		return "", false
	}
	return u.Scheme + "://" + u.Host, true
}

// validHost reports whether host is a DNS name or IP address and port empty
// or a port number.
func validHost(host, port string) bool {
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	if net.ParseIP(host) != nil {
		return true
	}
	for _, r := range host {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}
