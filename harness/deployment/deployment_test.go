package deployment

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/harness/reference"
	"github.com/mfconform/mfconform/harness/supabaseref"
)

// Plans of every shape a run, serve-reference or a batch's target makes.
func refJWT() *JWT {
	p := reference.DefaultProfile()
	return &JWT{Reference: &p, Secret: []byte("deployment-test-secret")}
}

func refSupabase() *Supabase {
	p := supabaseref.DefaultProfile()
	return &Supabase{Project: &p, AppHost: "app.acme.test", App: clientsite.DefaultAppProfile(), StandIn: true}
}

func realSupabase(appHost string) *Supabase {
	return &Supabase{ProjectURL: "https://abcdefghijklmnopqrst.supabase.co", Key: "k", AppHost: appHost, App: clientsite.DefaultAppProfile(), StandIn: true}
}

func TestPlanHosts(t *testing.T) {
	withDomain := refSupabase()
	withDomain.Project.CustomDomain = "auth.acme.test"
	embedded := realSupabase("miiflow.staging.example.com")
	embedded.Embedded = true
	serve := refSupabase()
	serve.StandIn = false
	tests := []struct {
		name string
		plan Plan
		want []string
	}{
		{"nothing", Plan{}, nil},
		{"the embedded reference deployment, both modes", Plan{JWT: refJWT(), Supabase: refSupabase()},
			[]string{"abcdefghijklmnopqrst.supabase.test", "api.acme.test", "app.acme.test", "embed.other.test", "login.acme.test"}},
		{"serve-reference: no stand-in", Plan{JWT: refJWT(), Supabase: serve},
			[]string{"abcdefghijklmnopqrst.supabase.test", "app.acme.test", "embed.other.test", "login.acme.test"}},
		{"the reference project's custom domain", Plan{Supabase: withDomain},
			[]string{"abcdefghijklmnopqrst.supabase.test", "api.acme.test", "app.acme.test", "auth.acme.test"}},
		{"a real backend and app", Plan{JWT: &JWT{}}, []string{EmbedHost}},
		{"a real backend with the reference app", Plan{JWT: &JWT{AppHost: "mfconform-app.example.com"}},
			[]string{EmbedHost, "mfconform-app.example.com"}},
		{"a real Supabase app: never its own host", Plan{Supabase: realSupabase("miiflow.staging.example.com")},
			[]string{"mfconform-api.staging.example.com", "mfconform-client.staging.example.com"}},
		{"a real app at the registrable domain", Plan{Supabase: realSupabase("example.com")},
			[]string{"mfconform-api.example.com", "mfconform-client.example.com"}},
		{"a real embedded app", Plan{Supabase: embedded},
			[]string{EmbedHost, "mfconform-api.staging.example.com", "mfconform-client.staging.example.com"}},
		{"a real backend and an embedded app share the embed site", Plan{JWT: &JWT{}, Supabase: embedded},
			[]string{EmbedHost, "mfconform-api.staging.example.com", "mfconform-client.staging.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.plan.Names(); !slices.Equal(got, tt.want) {
				t.Errorf("Names() = %v, want %v", got, tt.want)
			}
			if err := tt.plan.Check(nil); err != nil {
				t.Errorf("Check(nil) = %v, want nil", err)
			}
		})
	}
}

func TestPlanHostsSay(t *testing.T) {
	got := Plan{JWT: refJWT(), Supabase: refSupabase()}.Hosts()
	for _, h := range got {
		if h.What == "" {
			t.Errorf("host %s says nothing of what answers there", h.Name)
		}
		if h.Name == "app.acme.test" && (!strings.Contains(h.What, "verifies mf_jwt_token") || !strings.Contains(h.What, "reference Supabase app")) {
			t.Errorf("app.acme.test: %q, want both servers that share the name", h.What)
		}
	}
}

func TestPlanCheck(t *testing.T) {
	real := Plan{Supabase: realSupabase("app.example.test")}
	tests := []struct {
		name    string
		plan    Plan
		reached []Reached
		want    []string // substrings of the error; nil for none
		clash   bool
	}{
		{"the app's own host is reached, not served", real, []Reached{{Name: "app.example.test", Source: "--app-origin"}, {Name: "app.example.test", Source: "--resolve app.example.test=127.0.0.2"}}, nil, false},
		{"a session host that is the stand-in's", real, []Reached{{Name: "mfconform-api.example.test", Source: "--session-host"}},
			[]string{"--session-host names mfconform-api.example.test", "server-side stand-in"}, true},
		{"a --resolve rule for mfconform's page", real, []Reached{{Name: "MFCONFORM-CLIENT.example.test.", Source: "--resolve mfconform-client.example.test=10.0.0.1"}},
			[]string{"--resolve mfconform-client.example.test=10.0.0.1 names", "supabase-js page"}, true},
		{"a real backend's login host is the reference app's", Plan{JWT: &JWT{AppHost: "login.example.com"}}, []Reached{{Name: "login.example.com", Source: "--login-url"}},
			[]string{"--login-url names login.example.com", "reference app"}, true},
		{"a real backend beside the reference Supabase app", Plan{JWT: &JWT{}, Supabase: refSupabase()}, []Reached{{Name: "app.acme.test", Source: "--app-url"}},
			[]string{"--app-url names app.acme.test", "reference Supabase app"}, true},
		{"an app origin by IP address", Plan{Supabase: realSupabase("10.0.0.5")}, nil, []string{"10.0.0.5", "an IP address has no names beside it", "--resolve"}, false},
		{"a served name that is no host name", Plan{JWT: &JWT{AppHost: "app.example.com:8443"}}, nil, []string{`"app.example.com:8443"`, "want a host name"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.plan.Check(tt.reached)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Check() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Check() = nil, want an error containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Check() = %q, want it to contain %q", err, w)
				}
			}
			if errors.Is(err, ErrHostClash) != tt.clash {
				t.Errorf("errors.Is(Check(), ErrHostClash) = %v, want %v", errors.Is(err, ErrHostClash), tt.clash)
			}
		})
	}
}

// TestHostMapLeavesTheOperatorsHosts: the operator's exact rule for the
// app survives (it used to be overwritten by mfconform's own mapping of
// the app's name), the operator's wildcard yields to mfconform's reserved
// names, and names nobody maps resolve normally.
func TestHostMapLeavesTheOperatorsHosts(t *testing.T) {
	p := Plan{Supabase: realSupabase("app.example.test")}
	hm, err := p.HostMap([]string{"app.example.test=127.0.0.2", "*.example.test=127.0.0.3"})
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]string{
		"app.example.test":                 "127.0.0.2",
		"api.example.test":                 "127.0.0.3",
		"mfconform-client.example.test":    Loopback,
		"mfconform-api.example.test":       Loopback,
		"abcdefghijklmnopqrst.supabase.co": "",
	} {
		if got := hm.Lookup(host); got != want {
			t.Errorf("Lookup(%s) = %q, want %q", host, got, want)
		}
	}
	if _, err := p.HostMap([]string{"app.example.test=not-an-ip"}); err == nil {
		t.Error("HostMap with a bad rule = nil error")
	}
}

func TestRoutes(t *testing.T) {
	p := Plan{Supabase: realSupabase("app.example.test")}
	routes := p.Routes([]Reached{
		{Name: "app.example.test", Source: "--app-origin"}, {Name: "abcdefghijklmnopqrst.supabase.co", Source: "NEXT_PUBLIC_SUPABASE_URL"},
		{Name: "APP.example.test", Source: "supabase.login_script step 1"}, {Name: "api.example.test", Source: "--session-host"},
	}, []string{"app.example.test=127.0.0.2", "*.example.test=127.0.0.3"})
	want := []Route{
		{Name: "mfconform-api.example.test", Served: true, Addr: Loopback, Rule: "*.example.test"},
		{Name: "mfconform-client.example.test", Served: true, Addr: Loopback, Rule: "*.example.test"},
		{Name: "app.example.test", What: "--app-origin, supabase.login_script step 1", Addr: "127.0.0.2", Rule: "app.example.test"},
		{Name: "abcdefghijklmnopqrst.supabase.co", What: "NEXT_PUBLIC_SUPABASE_URL"},
		{Name: "api.example.test", What: "--session-host", Addr: "127.0.0.3", Rule: "*.example.test"},
	}
	if len(routes) != len(want) {
		t.Fatalf("Routes() = %+v, want %d routes", routes, len(want))
	}
	for i, w := range want {
		got := routes[i]
		if got.Served {
			got.What = "" // what answers is TestPlanHostsSay's
		}
		if got != w {
			t.Errorf("route %d = %+v, want %+v", i, got, w)
		}
	}
}

func TestReferenceAppHost(t *testing.T) {
	tests := []struct{ login, want, wantErr string }{
		{"login.staging.example.com", "mfconform-app.example.com", ""},
		{"example.co.uk", "mfconform-app.example.co.uk", ""},
		{"10.0.0.1", "", "IP address"},
		{"co.uk", "", "no registrable domain"},
	}
	for _, tt := range tests {
		got, err := ReferenceAppHost(tt.login)
		if got != tt.want || (tt.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ReferenceAppHost(%q) = %q, %v, want %q, %q", tt.login, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestStart starts a plan of each kind on loopback: every server listens
// under a name of the plan (the names its certificate was issued for), and
// Close stops them all.
func TestStart(t *testing.T) {
	embedded := refSupabase()
	embedded.App.Embedded, embedded.Embedded = true, true
	tests := []struct {
		name string
		plan Plan
	}{
		{"the embedded reference deployment", Plan{JWT: refJWT(), Supabase: embedded}},
		{"beside a real backend", Plan{JWT: &JWT{AppHost: "mfconform-app.example.com", Secret: []byte("k")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ca, err := pki.New(tt.plan.Names())
			if err != nil {
				t.Fatal(err)
			}
			s, err := tt.plan.Start(Env{CA: ca, Client: &http.Client{}, Timeout: time.Second})
			if err != nil {
				t.Fatalf("Start() = %v", err)
			}
			var origins []string
			if s.JWT != nil {
				origins = append(origins, s.JWT.LoginURL, s.JWT.AppURL, s.JWT.EmbedURL)
			}
			if s.Project != nil {
				origins = append(origins, s.Project.ProjectURL)
			}
			for _, u := range []string{s.EmbedURL(), s.ReferenceAppURL(), s.ClientURL(), s.ServerURL()} {
				if u != "" {
					origins = append(origins, u)
				}
			}
			if len(origins) == 0 {
				t.Fatal("Start() served nothing")
			}
			names := tt.plan.Names()
			for _, o := range origins {
				u, err := url.Parse(o)
				if err != nil || !slices.Contains(names, u.Hostname()) {
					t.Errorf("%s: host not among the plan's names %v", o, names)
				}
				if c, err := net.DialTimeout("tcp", net.JoinHostPort(Loopback, u.Port()), time.Second); err != nil {
					t.Errorf("%s: not listening: %v", o, err)
				} else {
					_ = c.Close()
				}
			}
			if err := s.Close(); err != nil {
				t.Errorf("Close() = %v", err)
			}
			for _, o := range origins {
				u, _ := url.Parse(o)
				if c, err := net.DialTimeout("tcp", net.JoinHostPort(Loopback, u.Port()), time.Second); err == nil {
					_ = c.Close()
					t.Errorf("%s: still listening after Close", o)
				}
			}
		})
	}
}

// TestStartFails: a plan that cannot start says why.
func TestStartFails(t *testing.T) {
	sb := refSupabase()
	sb.App.UseCustomDomain = true // the project has none
	p := Plan{JWT: refJWT(), Supabase: sb}
	ca, err := pki.New(p.Names())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := clientsite.FindSSRBundle(); err != nil {
		t.Fatalf("this test needs the @supabase/ssr bundle (make bundles): %v", err)
	}
	s, err := p.Start(Env{CA: ca, Client: &http.Client{}, Timeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), "custom domain") {
		t.Fatalf("Start() = %v, %v; want the custom-domain error", s, err)
	}
	if _, err := p.Start(Env{}); err == nil {
		t.Error("Start without a CA = nil error")
	}
}
