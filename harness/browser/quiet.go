package browser

import "github.com/chromedp/chromedp"

// Chromium asks Google's servers for things of its own from the moment it
// starts: nothing a page under test needs, and nothing the operator pointed
// mfconform at. chromedp's defaults and Launch already turn off background
// networking (which also stops the variations seed fetch), component
// updates, sync, Translate, Safe Browsing's list updates and client-side
// phishing detection. What still asked in Chromium 156 — found in the net
// log of an embedded-reference run (--log-net-log: each request's URL and
// traffic annotation name the caller) — is turned off below ("seen"), with
// a few services that send what a profile does to Google when they run
// ("not seen here"); every switch and feature named exists in that build.
// TestNothingLeavesTheMachine (cmd/mfconform) runs the embedded job under
// the net log and fails on any name looked up, request made or socket
// opened that mfconform did not serve.
//
// None of them changes what a page can do or how cookies are decided:
// they are the browser's own services, not the web platform.

// quietFeatures are Chromium features turned off (--disable-features).
var quietFeatures = []string{
	// Seen: NetworkTimeTracker asks clients2.google.com/time/1/current
	// for the time at start-up (traffic annotation 46188932).
	"NetworkTimeServiceQuerying",
	// Not seen here: the optimization guide's hints service, which asks
	// Google about the hosts a profile visits.
	"OptimizationHints",
	// Not seen here: Autofill's queries to Google about the forms of the
	// pages a profile fills.
	"AutofillServerCommunication",
	// Not seen here: the media router, which looks for cast and DIAL
	// devices on the local network.
	"MediaRouter",
}

// quietFlags are the switches that keep Chromium's own services quiet.
var quietFlags = []chromedp.ExecAllocatorOption{
	// Seen: the component updater still checks components that register
	// on demand — the optimization guide's on-device model manifest
	// (ceofaddefefcbblgcgnibnonglccbfja) at every start — with
	// update.googleapis.com, whatever --disable-component-update says.
	// "url-source" is the updater's own switch for its server
	// (components/component_updater/component_updater_command_line_config_policy.cc);
	// about:blank is a URL the network service refuses at once
	// (ERR_UNKNOWN_URL_SCHEME), so every check ends before a name is
	// looked up or a socket opened.
	chromedp.Flag("component-updater", "url-source=about:blank"),
	// Seen: the Google account service lists the accounts signed in to
	// Google (accounts.google.com/ListAccounts, traffic annotation
	// 35565745) at every start and retries it with backoff, though this
	// browser cannot sign in (no OAuth client; the signin.allowed
	// preference and --allow-browser-signin=false did not stop it).
	// --gaia-config-contents sets Chromium's own Google account URLs
	// (google_apis/gaia/gaia_config.cc): with list_accounts_url at
	// about:blank the request is an invalid URL (ERR_INVALID_URL) that
	// never leaves the process. The override is the account service's
	// ListAccounts URL only; pages on accounts.google.com (a login script
	// signing in with Google) load as before.
	chromedp.Flag("gaia-config-contents", `{"urls":{"list_accounts_url":{"url":"about:blank"}}}`),
	// Not seen here: Domain Reliability uploads reports about requests to Google's own
	// properties to Google.
	chromedp.Flag("disable-domain-reliability", true),
}
