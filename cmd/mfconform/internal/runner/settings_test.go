package runner

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/pki"
)

func TestSettingsTableIsWellFormed(t *testing.T) {
	if err := Settings.Check(); err != nil {
		t.Fatalf("Settings.Check() = %v", err)
	}
}

// commandLineOnly are the run settings a configuration file may not hold,
// each for a reason: a file is less trusted than the command line.
var commandLineOnly = []string{"allow-env", "chromium", "color", "config", "format", "quiet", "reference-secret-from-env", "secret-file"}

// TestConfigParity: every flag has a configuration-file key or is one of
// the few command-line-only settings, with its reason; every key has a
// flag or a reason to be file-only; every Supabase-mode and JWT-mode flag
// has a key (issue 21: --app-origin was flag-only).
func TestConfigParity(t *testing.T) {
	var only []string
	for _, s := range Settings.Settings {
		t.Run(s.Name(), func(t *testing.T) {
			switch {
			case s.Flag != "" && s.Key == "":
				only = append(only, s.Flag)
				if s.CommandLineOnly == "" {
					t.Errorf("--%s has no configuration-file key and no reason to be command-line only", s.Flag)
				}
			case s.Key != "" && s.Flag == "" && s.FileOnly == "":
				t.Errorf("%s has no flag and no reason to be file-only", s.Key)
			}
			if strings.HasPrefix(s.Usage, "Supabase mode") || strings.HasPrefix(s.Usage, "JWT mode") {
				if s.Key == "" {
					t.Errorf("%s is a mode's setting without a configuration-file key", s.Name())
				}
			}
		})
	}
	slices.Sort(only)
	if !slices.Equal(only, commandLineOnly) {
		t.Errorf("command-line-only flags = %v, want %v: a new one needs a reason a file may not hold it", only, commandLineOnly)
	}
	for _, name := range []string{"app-origin", "session-host"} {
		if s, ok := Settings.Lookup(name); !ok || !strings.HasPrefix(s.Key, "supabase.") {
			t.Errorf("--%s: key %q, want one under supabase.", name, s.Key)
		}
	}
}

// TestEnvNames: every variable is MFCONFORM_*, and none is one mfconform
// uses internally (a batch's shared browser and CA).
func TestEnvNames(t *testing.T) {
	for _, v := range Settings.EnvVars() {
		if !strings.HasPrefix(v.Name, "MFCONFORM_") || v.Name == EnvSharedBrowser || v.Name == EnvSharedCA {
			t.Errorf("%s sets %s: want an MFCONFORM_* name of its own", v.Name, v.Setting)
		}
	}
}

// writeConfig writes a configuration file for a test.
// writeCA writes a CA certificate (PEM) to path and returns path.
func writeCA(t *testing.T, path string) string {
	t.Helper()
	a, err := pki.New([]string{"ca.test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, a.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestExistingConfigFiles: the keys operators already use (docs/staging.md's
// example, the keys of earlier versions) keep working and land where they
// did.
func TestExistingConfigFiles(t *testing.T) {
	file := `mode: jwt
report_dir: out/r
label_filter: "area:cookie"
focus: ["JWT-COOKIE"]
fail_on: warn
allow_incomplete: true
thorough: true
waivers: ""
fixture: ""
supabase_app_host: app.other.test
block_third_party_cookies: true
jwt:
  login_url: https://login.staging.acme.com/auth/mf
  login_method: post
  login_form: {user: env:U}
  app_url: https://miiflow.staging.acme.com
  app_host: verifier.acme.com
  probe_path: /whoami
  authenticated_status: 204
  user_id_field: id
  login_script:
    - navigate: https://login.staging.acme.com/signin
    - fill: "#email"
      env: U
    - click: "button[type=submit]"
    - wait_cookie: mf_jwt_token
network:
  ca_file: corp-root.pem
  resolve: ["*.staging.acme.com=10.20.0.15"]
  proxy: http://proxy:3128
  connect_retries: 0
timeouts:
  session: 1s
  navigation: 2s
  script: 3s
  probe: 4s
  evidence: 5s
  browser_start: 6s
  reference_start: 7s
  suite: 8s
  shutdown: 9s
thresholds:
  max_token_lifetime: 12h
  clock_tolerance: 1m
  exp_leeway: 1s
supabase:
  session_hosts: [API.staging.acme.com]
  embedded: true
`
	// ca_file names a file relative to the working directory, which
	// Validate reads: it must be there and hold a certificate.
	t.Chdir(t.TempDir())
	writeCA(t, "corp-root.pem")
	cfg, err := Load([]string{"--config", writeConfig(t, file)}, func(k string) string { return map[string]string{"U": "qa"}[k] })
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate() error = %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"mode", cfg.Mode, ModeJWT}, {"report_dir", cfg.ReportDir, "out/r"}, {"label_filter", cfg.LabelFilter, "area:cookie"},
		{"focus", strings.Join(cfg.Focus, ","), "JWT-COOKIE"}, {"fail_on", cfg.FailOn, "warn"}, {"allow_incomplete", cfg.AllowIncomplete, true},
		{"thorough", cfg.Thorough, true}, {"supabase_app_host", cfg.SupabaseAppHost, "app.other.test"}, {"block_third_party_cookies", cfg.BlockThirdPartyCookies, true},
		{"jwt.login_url", cfg.JWT.LoginURL, "https://login.staging.acme.com/auth/mf"}, {"jwt.login_method", cfg.JWT.LoginMethod, "POST"},
		{"jwt.login_form", cfg.JWT.LoginForm["user"], "env:U"}, {"jwt.app_url", cfg.JWT.AppURL, "https://miiflow.staging.acme.com"},
		{"jwt.app_host", cfg.JWT.AppHost, "verifier.acme.com"}, {"jwt.probe_path", cfg.JWT.ProbePath, "/whoami"},
		{"jwt.authenticated_status", cfg.JWT.AuthenticatedStatus, 204}, {"jwt.user_id_field", cfg.JWT.UserIDField, "id"},
		{"jwt.login_script", len(cfg.JWT.LoginScript), 4}, {"network.ca_file", cfg.Network.CAFile, "corp-root.pem"},
		{"network.resolve", strings.Join(cfg.Network.Resolve, ","), "*.staging.acme.com=10.20.0.15"}, {"network.proxy", cfg.Network.Proxy, "http://proxy:3128"},
		{"network.connect_retries", cfg.Network.ConnectRetries, 0},
		{"timeouts.session", cfg.Timeouts.Session, time.Second}, {"timeouts.navigation", cfg.Timeouts.Navigation, 2 * time.Second},
		{"timeouts.script", cfg.Timeouts.Script, 3 * time.Second}, {"timeouts.probe", cfg.Timeouts.Probe, 4 * time.Second},
		{"timeouts.evidence", cfg.Timeouts.Evidence, 5 * time.Second}, {"timeouts.browser_start", cfg.Timeouts.BrowserStart, 6 * time.Second},
		{"timeouts.reference_start", cfg.Timeouts.ReferenceStart, 7 * time.Second}, {"timeouts.suite", cfg.Timeouts.Suite, 8 * time.Second},
		{"timeouts.shutdown", cfg.Timeouts.Shutdown, 9 * time.Second}, {"thresholds.max_token_lifetime", cfg.Thresholds.MaxTokenLifetime, 12 * time.Hour},
		{"thresholds.clock_tolerance", cfg.Thresholds.ClockTolerance, time.Minute}, {"thresholds.exp_leeway", cfg.Thresholds.ExpLeeway, time.Second},
		{"supabase.session_hosts", strings.Join(cfg.Supabase.SessionHosts, ","), "api.staging.acme.com"}, {"supabase.embedded", cfg.Supabase.Embedded, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// TestAppOriginKey: supabase.app_origin is --app-origin in the file: it
// sets the app's host, a login script may rely on it, and the flag wins.
func TestAppOriginKey(t *testing.T) {
	project := map[string]string{"NEXT_PUBLIC_SUPABASE_URL": "https://abcdefghijklmnopqrst.supabase.co", "NEXT_PUBLIC_SUPABASE_KEY": "k", "E": "qa@acme.com"}
	file := writeConfig(t, "supabase:\n  app_origin: https://miiflow.staging.acme.com/\n  login_script:\n    - navigate: https://miiflow.staging.acme.com/login\n    - fill: '#email'\n      env: E\n")
	tests := []struct {
		name     string
		args     []string
		wantHost string
		wantErr  string
	}{
		{"from the file", []string{"--config", file}, "miiflow.staging.acme.com", ""},
		{"the flag wins", []string{"--config", file, "--app-origin", "https://app.acme.com"}, "app.acme.com", ""},
		{"an invalid origin in the file names its line", []string{"--config", writeConfig(t, "supabase:\n  app_origin: http://x/y\n")}, "", "line 2: supabase.app_origin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(tt.args, func(k string) string { return project[k] })
			if err == nil {
				err = cfg.Validate()
			}
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load+Validate() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load+Validate() error = %v", err)
			}
			if cfg.SupabaseAppHost != tt.wantHost || strings.HasSuffix(cfg.appOrigin, "/") {
				t.Errorf("app host %q, origin %q; want host %q and no trailing slash", cfg.SupabaseAppHost, cfg.appOrigin, tt.wantHost)
			}
		})
	}
}

// TestCommandLineOnlyInAFile: a configuration file naming a
// command-line-only setting is refused, naming the line and the reason —
// never silently ignored, never obeyed.
func TestCommandLineOnlyInAFile(t *testing.T) {
	tests := []struct{ file, want string }{
		{"mode: jwt\nchromium: /tmp/evil.sh\n", "c.yaml:2:1: chromium: --chromium is command-line only: it chooses the program"},
		{"jwt:\n  secret_file: /home/op/.ssh/id_ed25519\n", "c.yaml:2:3: jwt.secret_file: --secret-file is command-line only: it chooses the file read as AUTH_SECRET_KEY"},
		{"reference_secret_from_env: true\n", "--reference-secret-from-env is command-line only"},
		{"config: other.yaml\n", "--config is command-line only: a configuration file does not name another"},
		{"allow_env: [AUTH_SECRET_KEY, GITHUB_TOKEN]\n", "c.yaml:1:1: allow_env: --allow-env is command-line only: it lets the configuration file read a secret"},
	}
	for _, tt := range tests {
		cfg, err := Load([]string{"--config", writeConfig(t, tt.file)}, func(string) string { return "" })
		if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%q) error = %v, want one containing %q", tt.file, err, tt.want)
		}
		if cfg.ChromiumPath != "" || cfg.JWT.SecretFile != "" || cfg.ReferenceUsesEnvSecret || len(cfg.AllowEnv) > 0 {
			t.Errorf("Load(%q) obeyed the file: %+v", tt.file, cfg)
		}
	}
}

// TestLoadLayers: defaults < --config FILE < MFCONFORM_* < flags that were
// set, through Load, and Effective says where each value came from.
func TestLoadLayers(t *testing.T) {
	file := writeConfig(t, "mode: jwt\nreport_dir: from-file\nlabel_filter: area:cookie\nnetwork:\n  resolve: ['a.test=127.0.0.2']\n")
	env := map[string]string{"MFCONFORM_REPORT_DIR": "from-env", "MFCONFORM_RESOLVE": "b.test=127.0.0.3, c.test=127.0.0.4"}
	cfg, err := Load([]string{"--config", file, "--label-filter", "area:token", "--resolve", "d.test=127.0.0.5"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Mode != ModeJWT || cfg.ReportDir != "from-env" || cfg.LabelFilter != "area:token" || !slices.Equal(cfg.Network.Resolve, []string{"d.test=127.0.0.5"}) {
		t.Errorf("mode %q, report dir %q, label filter %q, resolve %v", cfg.Mode, cfg.ReportDir, cfg.LabelFilter, cfg.Network.Resolve)
	}
	out, err := cfg.Effective(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"mode: jwt # from " + file + " line 1", "report_dir: from-env # from MFCONFORM_REPORT_DIR", "label_filter: area:token # from --label-filter", "resolve: # from --resolve"} {
		if !strings.Contains(out, w) {
			t.Errorf("Effective() lacks %q:\n%s", w, out)
		}
	}
}

// TestEffectiveShowsDefaults: config check shows every setting's effective
// value, the defaults too — the probe path, status and field the JWT
// target is probed with, not "" and 0.
func TestEffectiveShowsDefaults(t *testing.T) {
	cfg, err := Load(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.Effective(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"probe_path: /api/me\n", "authenticated_status: 200\n", "user_id_field: user_id\n", "login_method: GET\n",
		"mode: all\n", "report_dir: reports/out\n", "fail_on: fail\n", "suite: 10m0s\n", "navigation: 15s\n", "connect_retries: 2\n", "app_origin: \"\"\n",
		"#   --chromium (not set)", "AUTH_SECRET_KEY", "not set"} {
		if !strings.Contains(out, w) {
			t.Errorf("Effective() lacks %q:\n%s", w, out)
		}
	}
	for _, s := range Settings.Settings {
		if s.Flag != "" && !strings.Contains(out, "--"+s.Flag) && s.Key == "" {
			t.Errorf("Effective() does not show --%s", s.Flag)
		}
	}
}

// TestValidateNamesTheSource: an invalid value is named as the operator
// gave it: the flag, the variable, or the file's line and key.
func TestValidateNamesTheSource(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"flag", []string{"--mode", "ldap"}, nil, `--mode "ldap": want jwt, supabase or all`},
		{"variable", nil, map[string]string{"MFCONFORM_MODE": "ldap"}, `MFCONFORM_MODE "ldap"`},
		{"file", []string{"--config", writeConfig(t, "\nmode: ldap\n")}, nil, `line 2: mode "ldap"`},
		{"a URL's password is not shown", []string{"--proxy", "ftp://u:hunter2pass@proxy"}, nil, `--proxy "ftp://u:xxxxx@proxy"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(tt.args, func(k string) string { return tt.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			err = cfg.Validate()
			if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() error = %v, want one containing %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2pass") {
				t.Errorf("Validate() error shows a password: %v", err)
			}
		})
	}
}
