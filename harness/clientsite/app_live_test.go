package clientsite_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/harness/ssrserver"
	"github.com/mfconform/mfconform/harness/supabaseref"
)

// Hosts of the app test: the app, its server side on a sibling, the
// project and its custom domain.
const (
	liveAppHost    = "app.acme.test"
	liveServerHost = "api.acme.test"
	liveCustomHost = "auth.acme.test"
)

// appResult is mfApp.signIn's and signOut's answer.
type appResult struct {
	OK      bool   `json:"ok"`
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Name    string `json:"name"`
	Message string `json:"message"`
	UserID  string `json:"userId"`
}

// TestAppLive signs in through the reference app in real Chromium with each
// storage profile against the reference project, and checks what lands
// where: @supabase/ssr's chunked cookies with the profile's attributes (and
// the stand-in server on the sibling host reading them), localStorage,
// nothing; a hand-rolled writer's oversize chunk dropped; a sign-out
// through a client without the Domain leaving the cookies behind; a client
// built with the custom domain writing another cookie name.
func TestAppLive(t *testing.T) {
	bundle, err := clientsite.FindBundle()
	if err != nil {
		t.Fatalf("FindBundle() error = %v", err)
	}
	ssr, err := clientsite.FindSSRBundle()
	if err != nil {
		t.Fatalf("FindSSRBundle() error = %v", err)
	}
	proj := supabaseref.DefaultProfile()
	proj.CustomDomain = liveCustomHost
	hosts := []string{liveAppHost, liveServerHost, liveCustomHost, proj.Host()}
	ca := shared.CA(t)
	dep, err := supabaseref.Start(proj, ca)
	if err != nil {
		t.Fatalf("supabaseref.Start() error = %v", err)
	}
	t.Cleanup(func() { dep.Close() })
	var hm hostmap.Map
	for _, h := range hosts {
		if err := hm.Add(h, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	tr := &http.Transport{DialContext: hm.DialContext, TLSClientConfig: &tls.Config{RootCAs: ca.Pool}}
	t.Cleanup(tr.CloseIdleConnections)
	srv, err := ssrserver.Start(ssrserver.Config{Host: liveServerHost, ProjectURL: dep.URL, Key: dep.Key,
		Client: &http.Client{Transport: tr, Timeout: 5 * time.Second}, Timeout: 5 * time.Second, CA: ca})
	if err != nil {
		t.Fatalf("ssrserver.Start() error = %v", err)
	}
	t.Cleanup(func() { srv.Close() })

	b := shared.Browser(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()

	key := "sb-" + proj.Ref + "-auth-token"
	tests := []struct {
		name    string
		profile clientsite.AppProfile
		url     string // the app's client URL ("" NEXT_PUBLIC_SUPABASE_URL)
		// want: the session cookie names after sign-in, their Domain,
		// SameSite and Secure, localStorage keys, whether the server
		// reads a signed-in user, cookies left after sign-out.
		names      []string
		domain     string
		sameSite   network.CookieSameSite
		secure     bool
		local      []string
		server     bool
		leftAfter  []string
		bigRefused bool
	}{
		{name: "ssr shared with siblings", profile: clientsite.DefaultAppProfile(),
			names: []string{key + ".0", key + ".1"}, domain: ".acme.test", sameSite: network.CookieSameSiteLax, secure: true, server: true},
		{name: "ssr defaults: host-only, not Secure", profile: clientsite.AppProfile{Storage: clientsite.StorageCookies},
			names: []string{key + ".0", key + ".1"}, domain: liveAppHost, sameSite: network.CookieSameSiteLax},
		{name: "ssr embedded: SameSite=None", profile: clientsite.AppProfile{Storage: clientsite.StorageCookies, ShareWithSiblings: true, Secure: true, SameSite: "none"},
			names: []string{key + ".0", key + ".1"}, domain: ".acme.test", sameSite: network.CookieSameSiteNone, secure: true, server: true},
		{name: "sign-out without the Domain", profile: clientsite.AppProfile{Storage: clientsite.StorageCookies, ShareWithSiblings: true, Secure: true, SignOutWithoutDomain: true},
			names: []string{key + ".0", key + ".1"}, domain: ".acme.test", sameSite: network.CookieSameSiteLax, secure: true, server: true,
			leftAfter: []string{key + ".0", key + ".1"}},
		{name: "custom domain URL", profile: clientsite.DefaultAppProfile(), url: dep.CustomDomainURL,
			names: []string{"sb-auth-auth-token.0", "sb-auth-auth-token.1"}, domain: ".acme.test", sameSite: network.CookieSameSiteLax, secure: true},
		{name: "hand-rolled 4500-byte chunks", profile: clientsite.AppProfile{Storage: clientsite.StorageHandRolled, ShareWithSiblings: true, Secure: true, ChunkSize: 4500},
			names: []string{key + ".1"}, domain: ".acme.test", sameSite: network.CookieSameSiteLax, secure: true, bigRefused: true},
		{name: "localStorage", profile: clientsite.AppProfile{Storage: clientsite.StorageLocal}, local: []string{key}},
		{name: "memory", profile: clientsite.AppProfile{Storage: clientsite.StorageMemory}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := clientsite.App{SupabaseURL: dep.URL, Key: dep.Key, Profile: tt.profile}
			if tt.url != "" {
				app.SupabaseURL = tt.url
			}
			site, err := clientsite.StartWith(clientsite.Options{Host: liveAppHost, Bundle: bundle, SSRBundle: ssr, App: &app, CA: ca})
			if err != nil {
				t.Fatalf("StartWith() error = %v", err)
			}
			defer site.Close()
			s, err := b.NewSession(ctx, browser.SessionOptions{RecordCookieWrites: true})
			if err != nil {
				t.Fatalf("NewSession() error = %v", err)
			}
			defer s.Close()
			if _, err := s.Navigate(ctx, site.URL+clientsite.AppPath); err != nil {
				t.Fatalf("Navigate() error = %v", err)
			}
			in, err := browser.Evaluate[appResult](ctx, s, fmt.Sprintf("mfApp.signIn(%q, %q)", dep.Email, dep.Password))
			if err != nil || !in.OK || in.UserID == "" {
				t.Fatalf("mfApp.signIn() = %+v, %v, want ok with a user", in, err)
			}
			jar := sessionCookies(t, ctx, s)
			if got := names(jar); !slices.Equal(got, tt.names) {
				t.Errorf("session cookies = %v, want %v", got, tt.names)
			}
			for _, c := range jar {
				if c.Domain != tt.domain || c.SameSite != tt.sameSite || c.Secure != tt.secure || c.HTTPOnly || c.Path != "/" {
					t.Errorf("%s: Domain %s SameSite %q Secure %v HttpOnly %v Path %s, want %s %q %v false /", c.Name, c.Domain, c.SameSite, c.Secure, c.HTTPOnly, c.Path, tt.domain, tt.sameSite, tt.secure)
				}
				if c.Size > 4096 {
					t.Errorf("%s: size %d over 4096", c.Name, c.Size)
				}
			}
			local, err := browser.Evaluate[[]string](ctx, s, `Object.keys(localStorage).filter(k => k.startsWith("sb-")).sort()`)
			if err != nil || !slices.Equal(local, tt.local) && len(local)+len(tt.local) > 0 {
				t.Errorf("localStorage keys = %v, %v, want %v", local, err, tt.local)
			}
			writes := s.CookieWrites()
			big := slices.ContainsFunc(writes, func(w browser.CookieWrite) bool { return w.Size > 4096 })
			if big != tt.bigRefused {
				t.Errorf("a write over 4096 bytes = %v, want %v (%+v)", big, tt.bigRefused, writes)
			}
			var who ssrserver.Answer
			if _, err := s.Navigate(ctx, srv.URL+ssrserver.WhoAmIPath); err != nil {
				t.Fatalf("Navigate(whoami) error = %v", err)
			}
			who, err = browser.Evaluate[ssrserver.Answer](ctx, s, `JSON.parse(document.body.innerText)`)
			if err != nil || who.SignedIn != tt.server || tt.server && who.UserID != in.UserID {
				t.Errorf("server answer = %+v, %v, want signed in %v as %s", who, err, tt.server, in.UserID)
			}
			if len(tt.names) == 0 || tt.bigRefused {
				return
			}
			if _, err := s.Navigate(ctx, site.URL+clientsite.AppPath); err != nil {
				t.Fatalf("Navigate() error = %v", err)
			}
			out, err := browser.Evaluate[appResult](ctx, s, "mfApp.signOut()")
			if err != nil || !out.OK {
				t.Fatalf("mfApp.signOut() = %+v, %v, want ok", out, err)
			}
			if got := names(sessionCookies(t, ctx, s)); !slices.Equal(got, tt.leftAfter) {
				t.Errorf("session cookies after sign-out = %v, want %v", got, tt.leftAfter)
			}
		})
	}
}

// TestAppSignInPageLive drives the app's own sign-in page as a login_script
// would: fill, click, land on the dashboard, sign out there.
func TestAppSignInPageLive(t *testing.T) {
	bundle, _ := clientsite.FindBundle()
	ssr, err := clientsite.FindSSRBundle()
	if err != nil {
		t.Fatalf("FindSSRBundle() error = %v", err)
	}
	proj := supabaseref.DefaultProfile()
	ca := shared.CA(t)
	dep, err := supabaseref.Start(proj, ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dep.Close() })
	site, err := clientsite.StartWith(clientsite.Options{Host: liveAppHost, Bundle: bundle, SSRBundle: ssr, CA: ca,
		App: &clientsite.App{SupabaseURL: dep.URL, Key: dep.Key, Profile: clientsite.DefaultAppProfile()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { site.Close() })
	b := shared.Browser(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	s, err := b.NewSession(ctx, browser.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	steps := []struct {
		what string
		do   func() error
	}{
		{"open the sign-in page", func() error { _, err := s.Navigate(ctx, site.URL+clientsite.LoginPath); return err }},
		{"fill the email", func() error { return s.Fill(ctx, "#email", dep.Email) }},
		{"fill the password", func() error { return s.Fill(ctx, "#password", dep.Password) }},
		{"click sign in", func() error { return s.Click(ctx, "#sign-in") }},
		{"land on the dashboard", func() error { return s.WaitVisible(ctx, "#sign-out") }},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
	}
	who, err := browser.Evaluate[string](ctx, s, `new Promise(r => { const f = () => { const t = document.getElementById("who").textContent; t.startsWith("Loading") ? setTimeout(f, 20) : r(t); }; f(); })`)
	if err != nil || who != "Signed in as "+dep.Email {
		t.Errorf("dashboard says %q, %v, want Signed in as %s", who, err, dep.Email)
	}
	if got := names(sessionCookies(t, ctx, s)); len(got) == 0 {
		t.Error("no session cookie after signing in through the page")
	}
	if err := s.Click(ctx, "#sign-out"); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitVisible(ctx, "#signed-out"); err != nil {
		t.Fatalf("signed-out notice: %v", err)
	}
	if got := names(sessionCookies(t, ctx, s)); len(got) != 0 {
		t.Errorf("session cookies after signing out through the page = %v, want none", got)
	}
}

// sessionCookies are the jar's Supabase session cookies.
func sessionCookies(t *testing.T, ctx context.Context, s *browser.Session) []*network.Cookie {
	t.Helper()
	jar, err := s.SettledCookies(ctx)
	if err != nil {
		t.Fatalf("SettledCookies() error = %v", err)
	}
	var out []*network.Cookie
	for _, c := range jar {
		if ssrserver.IsSessionCookie(c.Name) {
			out = append(out, c)
		}
	}
	return out
}

func names(cs []*network.Cookie) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	slices.Sort(out)
	return out
}
