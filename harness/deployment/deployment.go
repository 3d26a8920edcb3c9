// Package deployment is the one composition root of the servers mfconform
// runs itself. A Plan says which servers a run (or serve-reference, or one
// target of a batch) needs — the JWT reference deployment, or against a
// real backend the embed site and the reference app; the reference Supabase
// project and its custom domain; the client site with mfconform's
// supabase-js page and the reference app; the server-side stand-in; the
// embed site — on which host names (the names the run's certificate
// carries and the names mfconform maps to loopback), and Start starts them.
// `run`, `serve-reference` and batches all take their hosts and their
// servers from here: a served host is added in one place, the list
// (Plan).servers returns.
//
// Host ownership. Every name a Plan serves is mfconform's: the names of the
// embedded reference deployment, the names the operator asks mfconform to
// serve (serve-reference's --*-host flags, run's --app-host), or reserved
// labels beside an operator's app (mfconform-client., mfconform-api.,
// mfconform-app.) and embed.mfconform-other.test. A host the operator names
// as part of what is checked (Reached: the app origin, login and app URLs,
// script URLs, session hosts, the project URL, --resolve names) is reached
// through the operator's --resolve rules or DNS and never through a
// mapping of mfconform's own; Check refuses a plan that would serve one.
package deployment

import (
	"fmt"
	"net"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/harness/reference"
	"github.com/mfconform/mfconform/harness/supabaseref"
)

// Loopback is the address every served name resolves to, for Chromium and
// the Go clients alike.
const Loopback = "127.0.0.1"

// EmbedHost is the other site mfconform serves to embed the app from; it
// shares no registrable domain with any deployment.
const EmbedHost = "embed.mfconform-other.test"

// Reserved labels: mfconform's own pages beside an operator's app live on
// these names under the app's parent domain, so the app's cookie scope and
// same-site relations hold for them as for the app's own siblings, while
// the app's own name stays the operator's.
const (
	// ClientLabel names the client site beside a real app: mfconform's
	// supabase-js page and its reference @supabase/ssr app.
	ClientLabel = "mfconform-client"
	// ServerLabel names the server-side stand-in beside a real app (the
	// reference project's app has its api. sibling instead).
	ServerLabel = "mfconform-api"
	// AppLabel names the reference verifier beside a real JWT backend,
	// under the login host's registrable domain.
	AppLabel = "mfconform-app"
)

// Plan is what a run serves itself. The zero value serves nothing.
type Plan struct {
	// JWT is JWT mode's part; nil when the mode does not run.
	JWT *JWT
	// Supabase is Supabase mode's part; nil when the mode does not run.
	Supabase *Supabase
}

// JWT is what JWT mode serves: the whole reference deployment, or beside a
// real backend the embed site and, for a backend-only run, the reference
// verifier.
type JWT struct {
	// Reference, when set, is the reference deployment's profile: its
	// backend, app and embed page on the profile's three hosts. Nil checks
	// a real deployment.
	Reference *reference.Profile
	// Secret is AUTH_SECRET_KEY: the reference deployment's, or the
	// operator's key the reference verifier checks a real backend's tokens
	// with.
	Secret []byte
	// AppHost, beside a real backend, serves the reference verifier there
	// (ReferenceAppHost's rule, or the operator's --app-host); "" when the
	// app is real too.
	AppHost string
}

// Supabase is what Supabase mode serves: the reference project (unless a
// real one is checked), the client site, the server-side stand-in and,
// when the app is embedded, the embed site.
type Supabase struct {
	// Project, when set, is the reference project's profile. Nil checks a
	// real project at ProjectURL with Key.
	Project *supabaseref.Profile
	// ProjectURL and Key are a real project's NEXT_PUBLIC_SUPABASE_URL and
	// NEXT_PUBLIC_SUPABASE_KEY as configured.
	ProjectURL, Key string
	// AppHost is the app's host name. With the reference project it is
	// mfconform's own and the client site serves the reference app there;
	// with a real project it is the operator's and is never served
	// (ClientHost and ServerHost are beside it).
	AppHost string
	// App is the reference app's profile: how it keeps its session.
	App clientsite.AppProfile
	// StandIn serves the server-side stand-in on ServerHost (a run does;
	// serve-reference does not).
	StandIn bool
	// Embedded serves the embed site (EmbedHost) for an app used inside an
	// iframe on another site.
	Embedded bool
	// Vars reads NEXT_PUBLIC_SUPABASE_URL and NEXT_PUBLIC_SUPABASE_KEY as
	// the app's client would: the origin and key the client site and the
	// stand-in are built with ("" origin: unusable, no stand-in). Nil
	// takes them verbatim.
	Vars func(rawURL, rawKey string) (origin, key string)
}

// Reference reports whether the plan serves the reference project.
func (s Supabase) Reference() bool { return s.Project != nil }

// ClientHost is where the client site (mfconform's supabase-js page and
// the reference app) is served: the reference project's app host itself,
// or mfconform-client.<parent domain> beside a real app.
func (s Supabase) ClientHost() string {
	if s.Reference() {
		return s.AppHost
	}
	return ClientLabel + "." + clientsite.ParentDomain(s.AppHost)
}

// ServerHost is where the server-side stand-in is served: a sibling of the
// app — api.<parent> for the reference project's app, mfconform-api.<parent>
// beside a real app (so it never shadows a real api. host).
func (s Supabase) ServerHost() string {
	prefix := "api."
	if !s.Reference() {
		prefix = ServerLabel + "."
	}
	return prefix + clientsite.ParentDomain(s.AppHost)
}

// ReferenceAppHost is where the reference verifier is served beside a real
// backend whose login host is loginHost: mfconform-app.<registrable
// domain>, so the backend's cookie (Domain=.<registrable domain> at best)
// can reach it.
func ReferenceAppHost(loginHost string) (string, error) {
	if net.ParseIP(loginHost) != nil {
		return "", fmt.Errorf("no registrable domain for %s: an IP address has no names beside it", loginHost)
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(loginHost)
	if err != nil {
		return "", fmt.Errorf("no registrable domain for %s: %w", loginHost, err)
	}
	return AppLabel + "." + d, nil
}

// appHostUsable reports why a real app's host cannot have mfconform's
// pages beside it ("" when it can): an IP address has no sibling names.
func appHostUsable(host string) string {
	switch {
	case host == "":
		return "no app host"
	case net.ParseIP(strings.Trim(host, "[]")) != nil:
		return "an IP address has no names beside it"
	}
	return ""
}
