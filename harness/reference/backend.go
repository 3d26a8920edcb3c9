package reference

import (
	"html/template"
	"net/http"
	"time"
)

// backend is the customer's backend: it signs the fixed test user in and
// sets the token cookie the way its Profile says.
type backend struct {
	p      Profile
	key    []byte // the key the backend signs with
	appURL string
	now    func() time.Time // the real clock; Profile.Token.ClockOffset is added
	mux    *http.ServeMux
}

// newBackend returns the backend's handler. key is the exact signing key.
func newBackend(p Profile, key []byte, appURL string, now func() time.Time) *backend {
	b := &backend{p: p, key: key, appURL: appURL, now: now, mux: http.NewServeMux()}
	b.mux.HandleFunc("GET /{$}", b.serveIndex)
	if p.LoginRedirect != "" {
		b.mux.HandleFunc("GET /login", b.serveLoginRedirect)
		b.mux.HandleFunc("GET "+p.LoginRedirect, b.serveLogin)
	} else {
		b.mux.HandleFunc("GET /login", b.serveLogin)
	}
	b.mux.HandleFunc("GET /form", b.serveForm)
	b.mux.HandleFunc("POST /login", b.servePostLogin)
	return b
}

// clock is the backend's (possibly skewed) idea of now.
func (b *backend) clock() time.Time {
	return b.now().Add(b.p.Token.ClockOffset)
}

// ServeHTTP stamps every response with the backend's clock in Date, so a
// skewed backend shows it, and routes the request.
func (b *backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Date", b.clock().UTC().Format(http.TimeFormat))
	for k, v := range b.p.Backend.Headers {
		w.Header().Set(k, v)
	}
	b.mux.ServeHTTP(w, r)
}

var backendIndex = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme backend</title></head>
<body><h1>Acme backend</h1><p><a id="login-link" href="/login">Sign in</a></p></body></html>
`))

var backendSignedIn = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signed in</title></head>
<body><p id="signed-in">Signed in as {{.UserID}} — <a id="app-link" href="{{.AppURL}}/">continue to the app</a></p></body></html>
`))

// FormPassword is the password the reference backend's login form takes
// (any user name): a test credential, not a secret.
const FormPassword = "mfconform-test-password"

var backendForm = template.Must(template.New("form").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>
<body><form id="login" method="post" action="/login">
<label>User <input id="username" name="username" autocomplete="username"></label>
<label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
<button id="submit" type="submit">Sign in</button></form></body></html>
`))

// serveForm is a real login form, for scripted and POST logins.
func (b *backend) serveForm(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = backendForm.Execute(w, nil) // a write error means the client left
}

// servePostLogin signs the user in when the form's password is
// FormPassword, exactly as GET /login does; otherwise 401 and no cookie.
func (b *backend) servePostLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if r.ParseForm() != nil || r.PostForm.Get("username") == "" || r.PostForm.Get("password") != FormPassword {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte("wrong user name or password\n"))
		return
	}
	b.serveLogin(w, r)
}

// serveIndex is the backend's home page, a link to /login.
func (b *backend) serveIndex(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = backendIndex.Execute(w, nil) // a write error means the client left
}

// serveLoginRedirect sends the browser on to the path that finishes the
// login (Profile.LoginRedirect).
func (b *backend) serveLoginRedirect(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, b.p.LoginRedirect, http.StatusFound)
}

// serveLogin signs the fixed test user in without credentials: it builds the
// token and sets exactly one Set-Cookie for it.
func (b *backend) serveLogin(w http.ResponseWriter, _ *http.Request) {
	now := b.clock()
	token, err := BackendToken(b.p, b.key, now)
	if err != nil {
		http.Error(w, "reference backend: cannot build the token: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if b.p.Token.Mangle != nil {
		token = b.p.Token.Mangle(token)
	}
	w.Header().Set("Set-Cookie", cookieHeaderAs(b.p.Backend.Writer, b.p.Cookie, token, now))
	for _, c := range b.p.Backend.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	userID, _ := b.p.Token.Claims["user_id"].(string)
	if userID == "" {
		userID = "the test user"
	}
	data := struct{ UserID, AppURL string }{userID, b.appURL}
	_ = backendSignedIn.Execute(w, data) // a write error means the client left
}
