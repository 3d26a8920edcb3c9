package redact

import (
	"net/url"
	"strings"
)

// userinfo returns the credentials part of raw's authority (what comes
// between "//" and the authority's last "@", as written) and where it
// starts; "" when there is none. It works on text, so a URL that does not
// parse (a bad escape after the password) or parses as a path (a scheme
// without its colon) is covered too.
func userinfo(raw string) (ui string, start int) {
	i := strings.Index(raw, "//")
	if i < 0 {
		return "", 0
	}
	rest := raw[i+2:]
	authority := rest
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		authority = rest[:j]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return "", 0
	}
	return authority[:at], i + 2
}

// URL returns raw with its password hidden: "https://user:xxxxx@host/…",
// as url.URL.Redacted shows it; a URL that does not parse loses all of
// its credentials ("https://xxxxx@host/…"). A URL without credentials is
// returned as it is.
func URL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		return u.Redacted()
	}
	ui, start := userinfo(raw)
	if start == 0 {
		return raw
	}
	return raw[:start] + "xxxxx" + raw[start+len(ui):]
}

// minUserinfo is the shortest "user:password@" AddURL registers: the
// form is distinctive enough to replace even when short.
const minUserinfo = 3

// AddURL registers the credentials of a URL the run was given (login,
// app, Supabase project, proxy, a script's page) so that no text about it
// shows them: the userinfo as written followed by "@" is shown as
// "user:xxxxx@" (or "xxxxx@" for a bare token), and the password itself,
// as written and percent-decoded, as a secret's fingerprint wherever it
// appears alone.
func (s *Set) AddURL(raw string) {
	ui, start := userinfo(raw)
	if start == 0 || ui == "" {
		return
	}
	user, pw, hasPW := strings.Cut(ui, ":")
	shown := "xxxxx@"
	if hasPW {
		shown = user + ":xxxxx@"
	}
	s.addMin(func(string) string { return shown }, []string{ui + "@"}, minUserinfo)
	secret := ui
	if hasPW {
		secret = pw
	}
	vs := []string{secret}
	if dec, err := url.PathUnescape(secret); err == nil && dec != secret {
		vs = append(vs, dec)
	}
	s.AddSecret(vs...)
}
