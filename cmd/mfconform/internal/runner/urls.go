package runner

import (
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/redact"
)

// redactURL hides credentials in a URL (user:password@), also in one that
// does not parse: redact.URL.
func redactURL(raw string) string { return redact.URL(raw) }

// registerURLSecrets registers the credentials of every URL the run was
// given — login and app URL, the Supabase project's URL, the proxy, the
// pages the login and logout scripts navigate to — with the run's
// redactor (redact.Known), before anything is gathered: whatever text
// then quotes such a URL (an error, a finding, evidence, the setup error)
// shows "user:xxxxx@" at the judge boundary and in the report, never the
// password.
func (c Config) registerURLSecrets() {
	urls := []string{c.JWT.LoginURL, c.JWT.AppURL, c.Network.Proxy}
	if c.SupabaseTarget != nil {
		urls = append(urls, c.SupabaseTarget.URL)
	}
	for _, script := range [][]env.LoginStep{c.JWT.LoginScript, c.Supabase.LoginScript, c.Supabase.LogoutScript} {
		for _, st := range script {
			urls = append(urls, st.Navigate)
		}
	}
	for _, u := range urls {
		redact.Known.AddURL(u)
	}
}
