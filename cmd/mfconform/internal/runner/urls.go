package runner

import (
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/redact"
)

// redactURL hides credentials in a URL (user:password@), also in one that
// does not parse: redact.URL.
func redactURL(raw string) string { return redact.URL(raw) }

// urlSecrets returns the run's redaction set with the credentials of every
// URL the run was given registered — login and app URL, the Supabase
// project's URL, the proxy, the pages the login and logout scripts
// navigate to — before anything is gathered: whatever text then quotes
// such a URL (an error, a finding, evidence, the setup error) shows
// "user:xxxxx@" at the judge boundary and in the report, never the
// password. The gathers add the secrets they learn (env.Env.Known).
func (c Config) urlSecrets() *redact.Set {
	urls := []string{c.JWT.LoginURL, c.JWT.AppURL, c.Network.Proxy}
	if c.SupabaseTarget != nil {
		urls = append(urls, c.SupabaseTarget.URL)
	}
	for _, script := range [][]env.LoginStep{c.JWT.LoginScript, c.Supabase.LoginScript, c.Supabase.LogoutScript} {
		for _, st := range script {
			urls = append(urls, st.Navigate)
		}
	}
	known := &redact.Set{}
	for _, u := range urls {
		known.AddURL(u)
	}
	return known
}

// redactedError is an error whose text went through the run's redaction
// set: a caller that prints it (the CLI prints every error) shows no
// password of a URL the run was given. errors.Is and errors.As still see
// the error it wraps.
type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// redactError returns err with known's values replaced in its text; nil
// stays nil.
func redactError(known *redact.Set, err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{text: known.Clean(err.Error()), err: err}
}
