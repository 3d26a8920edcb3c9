package runner

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/harness/deployment"
)

// TestPlan loads run configurations of every shape and checks what the
// run serves, what it reaches, and that a host the operator names is never
// one it serves.
func TestPlan(t *testing.T) {
	project := map[string]string{"NEXT_PUBLIC_SUPABASE_URL": "https://abcdefghijklmnopqrst.supabase.co", "NEXT_PUBLIC_SUPABASE_KEY": "sb_publishable_x",
		"SUPABASE_TEST_EMAIL": "qa@example.test", "SUPABASE_TEST_PASSWORD": "pw"}
	script := "supabase:\n  login_script:\n    - navigate: https://app.example.test/app/login\n    - click: \"#sign-in\"\n" +
		"  logout_script:\n    - navigate: https://admin.example.test/out\n"
	tests := []struct {
		name        string
		file        string
		args        []string
		env         map[string]string
		wantServed  []string
		wantReached []string // name=source, in order
		wantErr     []string // substrings of a configuration error
	}{
		{name: "the embedded reference deployment",
			wantServed: []string{"abcdefghijklmnopqrst.supabase.test", "api.acme.test", "app.acme.test", "embed.other.test", "login.acme.test"}},
		{name: "a fixture of one mode", args: []string{"--fixture", "sb-cookie-name-mismatch"},
			wantServed: []string{"abcdefghijklmnopqrst.supabase.test", "api.acme.test", "app.acme.test", "auth.acme.test"}},
		{name: "a real Supabase app reached through --resolve", file: script, env: project,
			args:       []string{"--app-origin", "https://app.example.test", "--resolve", "app.example.test=127.0.0.2", "--session-host", "api.example.test"},
			wantServed: []string{"mfconform-api.example.test", "mfconform-client.example.test"},
			wantReached: []string{"abcdefghijklmnopqrst.supabase.co=NEXT_PUBLIC_SUPABASE_URL", "app.example.test=--app-origin",
				"app.example.test=supabase.login_script step 1", "admin.example.test=supabase.logout_script step 1",
				"api.example.test=--session-host", "app.example.test=--resolve app.example.test=127.0.0.2"}},
		{name: "the app's server side and embedded page: hosts mfconform reaches", env: project,
			file:       script + "  server_check:\n    url: https://api.example.test/me\n  embedded: true\n  embed_url: https://app.example.test/dashboard\n",
			args:       []string{"--app-origin", "https://app.example.test"},
			wantServed: []string{deployment.EmbedHost, "mfconform-api.example.test", "mfconform-client.example.test"},
			wantReached: []string{"abcdefghijklmnopqrst.supabase.co=NEXT_PUBLIC_SUPABASE_URL", "app.example.test=--app-origin",
				"app.example.test=supabase.login_script step 1", "admin.example.test=supabase.logout_script step 1",
				"api.example.test=supabase.server_check.url", "app.example.test=supabase.embed_url"}},
		{name: "a server check without the app's own sign-in", env: project,
			args:    []string{"--app-origin", "https://app.example.test", "--server-check-url", "https://app.example.test/api/me"},
			wantErr: []string{"--server-check-url", "supabase.login_script"}},
		{name: "an embed URL for an app not declared embedded", env: project, file: script + "  embed_url: https://app.example.test/dashboard\n",
			args: []string{"--app-origin", "https://app.example.test"}, wantErr: []string{"supabase.embed_url", "supabase.embedded: true"}},
		{name: "a server check on a name mfconform serves", env: project, file: script,
			args:    []string{"--app-origin", "https://app.example.test", "--server-check-url", "https://mfconform-api.example.test/me"},
			wantErr: []string{"supabase.server_check.url names mfconform-api.example.test"}},
		{name: "a server check URL that is not one", env: project, file: script,
			args: []string{"--app-origin", "https://app.example.test", "--server-check-url", "/api/me"}, wantErr: []string{"not an absolute http(s) URL"}},
		{name: "a real backend with the reference app", args: []string{"--login-url", "https://login.example.com/login", "--app-url", "reference"},
			wantServed: []string{deployment.EmbedHost, "mfconform-app.example.com"}, wantReached: []string{"login.example.com=--login-url"}},
		{name: "a real backend and app", args: []string{"--login-url", "https://login.example.com/login", "--app-url", "https://app.example.com"},
			wantServed: []string{deployment.EmbedHost}, wantReached: []string{"login.example.com=--login-url", "app.example.com=--app-url"}},
		{name: "a session host that is mfconform's stand-in", env: project,
			args:    []string{"--app-origin", "https://app.example.test", "--session-host", "mfconform-api.example.test"},
			wantErr: []string{"--session-host names mfconform-api.example.test", "server-side stand-in"}},
		{name: "the reference app asked for on the backend's host", args: []string{"--login-url", "https://login.example.com/login", "--app-url", "reference", "--app-host", "login.example.com"},
			wantErr: []string{"--login-url names login.example.com", "reference app"}},
		{name: "a real backend beside the reference Supabase app", args: []string{"--mode", "all", "--login-url", "https://login.acme.test/login", "--app-url", "https://app.acme.test"},
			wantErr: []string{"--app-url names app.acme.test", "reference Supabase app"}},
		{name: "a --resolve rule for a name mfconform serves", args: []string{"--resolve", "app.acme.test=127.0.0.1"},
			wantErr: []string{"--resolve app.acme.test=127.0.0.1 names app.acme.test"}},
		{name: "an app origin by IP address", env: project, args: []string{"--app-origin", "https://127.0.0.2:8443"},
			wantErr: []string{"an IP address has no names beside it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.file != "" {
				p := filepath.Join(t.TempDir(), "c.yaml")
				if err := os.WriteFile(p, []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
				args = append([]string{"--config", p}, args...)
			}
			cfg, err := Load(args, func(k string) string { return tt.env[k] })
			if err == nil {
				err = cfg.Validate()
			}
			if tt.wantErr != nil {
				if err == nil || !errors.Is(err, ErrConfig) {
					t.Fatalf("Load+Validate() = %v, want a configuration error", err)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("Load+Validate() = %q, want it to contain %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Load+Validate() = %v", err)
			}
			p, err := cfg.Plan()
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Names(); !slices.Equal(got, tt.wantServed) {
				t.Errorf("served = %v, want %v", got, tt.wantServed)
			}
			var reached []string
			for _, r := range cfg.Reached() {
				reached = append(reached, r.Name+"="+r.Source)
			}
			if !slices.Equal(reached, tt.wantReached) {
				t.Errorf("reached = %v, want %v", reached, tt.wantReached)
			}
			text, err := cfg.HostsText()
			if err != nil {
				t.Fatal(err)
			}
			hosts := p.Names()
			for _, r := range reached {
				hosts = append(hosts, strings.SplitN(r, "=", 2)[0])
			}
			for _, h := range hosts {
				if !strings.Contains(text, "#   "+h+" ") {
					t.Errorf("HostsText() lacks %s:\n%s", h, text)
				}
			}
		})
	}
}
