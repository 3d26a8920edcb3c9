package runner

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadSupabaseApp(t *testing.T) {
	project := map[string]string{
		"NEXT_PUBLIC_SUPABASE_URL": "https://abcdefghijklmnopqrst.supabase.co", "NEXT_PUBLIC_SUPABASE_KEY": "sb_publishable_x",
		"SUPABASE_TEST_EMAIL": "qa@acme.com", "SUPABASE_TEST_PASSWORD": "pw",
	}
	script := `supabase:
  embedded: true
  session_hosts: [api.acme.com]
  login_script:
    - navigate: https://app.acme.com/login
    - fill: "#email"
      env: SUPABASE_TEST_EMAIL
    - fill: "#password"
      env: SUPABASE_TEST_PASSWORD
    - click: "#sign-in"
    - wait_cookie: sb-abcdefghijklmnopqrst-auth-token
  logout_script:
    - click: "#sign-out"
    - wait: "#signed-out"
`
	tests := []struct {
		name      string
		file      string
		args      []string
		env       map[string]string
		wantErr   string
		wantHosts []string
		wantSrv   string
		embedded  bool
		steps     int
	}{
		{name: "embedded reference defaults", wantHosts: []string{"api.acme.test"}, wantSrv: "api.acme.test"},
		{name: "reference with --session-host", args: []string{"--session-host", "API.acme.test", "--session-host", "admin.acme.test"},
			wantHosts: []string{"api.acme.test", "admin.acme.test"}, wantSrv: "api.acme.test"},
		{name: "real project: no host shares the session until named", args: []string{"--app-origin", "https://miiflow.staging.acme.com"}, env: project,
			wantHosts: nil, wantSrv: "mfconform-api.staging.acme.com"},
		{name: "login_script", file: script, args: []string{"--app-origin", "https://app.acme.com"}, env: project,
			wantHosts: []string{"api.acme.com"}, wantSrv: "mfconform-api.acme.com", embedded: true, steps: 5},
		{name: "login_script without a project", file: script, args: []string{"--app-origin", "https://app.acme.com"},
			env: map[string]string{"SUPABASE_TEST_EMAIL": "qa@acme.com", "SUPABASE_TEST_PASSWORD": "pw"}, wantErr: "supabase.login_script signs in through your app"},
		{name: "login_script without --app-origin", file: script, env: project, wantErr: "needs your project"},
		{name: "a fill variable unset", file: script, args: []string{"--app-origin", "https://app.acme.com"},
			env: map[string]string{"NEXT_PUBLIC_SUPABASE_URL": "https://x.supabase.co", "NEXT_PUBLIC_SUPABASE_KEY": "k"}, wantErr: "$SUPABASE_TEST_EMAIL, which is not set"},
		{name: "a step with two actions", file: "supabase:\n  login_script:\n    - navigate: https://a.test/\n      click: \"#x\"\n",
			args: []string{"--app-origin", "https://app.acme.com"}, env: project, wantErr: "supabase.login_script step 1"},
		{name: "logout without login", file: "supabase:\n  logout_script:\n    - click: \"#x\"\n", wantErr: "needs a supabase.login_script"},
		{name: "bad session host", args: []string{"--session-host", "https://api.acme.test"}, wantErr: "--session-host"},
		{name: "unknown key", file: "supabase:\n  login_scripts: []\n", wantErr: "c.yaml:2:3: an unknown key in supabase; want one of app_origin, session_hosts, login_script, logout_script, server_check, embedded, embed_url"},
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
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrConfig) {
					t.Fatalf("Load+Validate() error = %v, want a configuration error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load+Validate() error = %v", err)
			}
			if got := cfg.SessionHosts(); !slices.Equal(got, tt.wantHosts) {
				t.Errorf("SessionHosts() = %v, want %v", got, tt.wantHosts)
			}
			if got := cfg.ServerHost(); got != tt.wantSrv {
				t.Errorf("ServerHost() = %q, want %q", got, tt.wantSrv)
			}
			if cfg.SupabaseEmbedded() != tt.embedded {
				t.Errorf("SupabaseEmbedded() = %v, want %v", cfg.SupabaseEmbedded(), tt.embedded)
			}
			if len(cfg.sbLogin) != tt.steps {
				t.Errorf("login steps = %d, want %d", len(cfg.sbLogin), tt.steps)
			}
			for _, s := range cfg.sbLogin {
				if s.Fill != "" && s.Value == "" {
					t.Errorf("step fill %s has no value", s.Fill)
				}
			}
		})
	}
}
