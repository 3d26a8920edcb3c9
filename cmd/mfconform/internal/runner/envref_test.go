package runner

import (
	"errors"
	"strings"
	"testing"
)

// TestEnvRefusal is the rule for the variables a configuration file's
// env: references may read: mfconform's own secrets never, CI platforms'
// and mfconform's namespaces and names that say "secret" only when the
// command line allows them, passwords when named as a test user's.
func TestEnvRefusal(t *testing.T) {
	tests := []struct {
		name    string
		allowed []string
		refused string // in the reason; "" when the name may be read
	}{
		{"TEST_USER", nil, ""},
		{"TEST_PASSWORD", nil, ""},
		{"SUPABASE_TEST_EMAIL", nil, ""},
		{"SUPABASE_TEST_PASSWORD", nil, ""},
		{"STAGING_TEST_PASSWORD", nil, ""},
		{"login_name", nil, ""},
		{"AUTH_SECRET_KEY", nil, "mfconform's own secret"},
		{"AUTH_SECRET_KEY", []string{"AUTH_SECRET_KEY"}, "mfconform's own secret"},
		{"SUPABASE_JWT_SECRET", []string{"SUPABASE_JWT_SECRET"}, "mfconform's own secret"},
		{"NEXT_PUBLIC_SUPABASE_KEY", []string{"NEXT_PUBLIC_SUPABASE_KEY"}, "mfconform's own secret"},
		{"GITHUB_TOKEN", nil, "GITHUB_* namespace"},
		{"ACTIONS_RUNTIME_TOKEN", nil, "ACTIONS_* namespace"},
		{"ACTIONS_ID_TOKEN_REQUEST_URL", nil, "ACTIONS_* namespace"},
		{"CI_JOB_TOKEN", nil, "CI_* namespace"},
		{"CI_REGISTRY_PASSWORD", nil, "CI_* namespace"},
		{"MFCONFORM_PROXY", nil, "MFCONFORM_* namespace"},
		{"AWS_SECRET_ACCESS_KEY", nil, "contains SECRET"},
		{"NPM_TOKEN", nil, "contains TOKEN"},
		{"SSH_PRIVATE", nil, "contains PRIVATE"},
		{"stripe_api_key", nil, "contains KEY"},
		{"GOOGLE_CREDENTIALS", nil, "contains CREDENTIAL"},
		{"DB_PASSWORD", nil, "password not named as a test user's"},
		{"PGPASSWORD", nil, "password not named as a test user's"},
		{"MYSQL_PWD", nil, "password not named as a test user's"},
		{"GITHUB_TOKEN", []string{"GITHUB_TOKEN"}, ""},
		{"DB_PASSWORD", []string{"DB_PASSWORD"}, ""},
		{"IDP_CLIENT_SECRET", []string{"IDP_CLIENT_SECRET"}, ""},
		{"NPM_TOKEN", []string{"GITHUB_TOKEN"}, "contains TOKEN"},
		{"A-B", nil, "not an environment variable's name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := envRefusal(tt.name, tt.allowed)
			if (got == "") != (tt.refused == "") || !strings.Contains(got, tt.refused) {
				t.Errorf("envRefusal(%q, %v) = %q, want one containing %q", tt.name, tt.allowed, got, tt.refused)
			}
		})
	}
}

// TestConfigFileEnvRefs: Load refuses a configuration file whose env:
// references name a secret the command line did not allow — in a login
// form, a JWT login script or a Supabase login or logout script — with the
// file, the line of the reference and the reason; the documented examples
// and names the command line allowed load. A login form given on the
// command line may read what it likes, mfconform's own secrets excepted.
func TestConfigFileEnvRefs(t *testing.T) {
	env := map[string]string{
		"TEST_USER": "alice", "TEST_PASSWORD": "pw", "SUPABASE_TEST_EMAIL": "a@x.test", "SUPABASE_TEST_PASSWORD": "pw",
		"GITHUB_TOKEN": "ghs_x", "AUTH_SECRET_KEY": "k", "DB_PASSWORD": "db", "NEXT_PUBLIC_SUPABASE_URL": "https://abcdefghijklmnopqrst.supabase.co",
		"NEXT_PUBLIC_SUPABASE_KEY": "sb_publishable_x",
	}
	const jwtHead = "jwt:\n  login_url: https://login.acme.example/login\n  app_url: https://app.acme.example\n"
	sbHead := "supabase:\n  app_origin: https://app.acme.example\n  login_script:\n    - navigate: https://app.acme.example/login\n"
	tests := []struct {
		name string
		file string
		args []string
		want string // in the error; "" loads
	}{
		{"docs/staging.md's JWT example", jwtHead + "  login_script:\n    - navigate: https://login.acme.example/signin\n    - fill: \"#email\"\n      env: TEST_USER\n    - fill: \"#password\"\n      env: TEST_PASSWORD\n", nil, ""},
		{"docs/staging.md's Supabase example", sbHead + "    - fill: \"#email\"\n      env: SUPABASE_TEST_EMAIL\n    - fill: \"#password\"\n      env: SUPABASE_TEST_PASSWORD\n", nil, ""},
		{"a form field posts AUTH_SECRET_KEY", jwtHead + "  login_method: POST\n  login_form:\n    user: env:TEST_USER\n    k: env:AUTH_SECRET_KEY\n", nil,
			"c.yaml:7:8: jwt.login_form field k may not read $AUTH_SECRET_KEY: it is mfconform's own secret"},
		{"a form field posts GITHUB_TOKEN", jwtHead + "  login_method: POST\n  login_form:\n    k: env:GITHUB_TOKEN\n", nil, "c.yaml:6:8: jwt.login_form field k may not read $GITHUB_TOKEN: it is in the GITHUB_* namespace"},
		{"a JWT script types AUTH_SECRET_KEY", jwtHead + "  login_script:\n    - navigate: https://login.acme.example/\n    - fill: \"#p\"\n      env: AUTH_SECRET_KEY\n", nil,
			"c.yaml:7:12: jwt.login_script step 2 may not fill from $AUTH_SECRET_KEY: it is mfconform's own secret"},
		{"a Supabase login script types the public key", sbHead + "    - fill: \"#k\"\n      env: NEXT_PUBLIC_SUPABASE_KEY\n", nil,
			"supabase.login_script step 2 may not fill from $NEXT_PUBLIC_SUPABASE_KEY: it is mfconform's own secret"},
		{"a Supabase logout script types a database password", sbHead + "    - fill: \"#e\"\n      env: SUPABASE_TEST_EMAIL\n  logout_script:\n    - navigate: https://app.acme.example/\n    - fill: \"#p\"\n      env: DB_PASSWORD\n", nil,
			"c.yaml:10:12: supabase.logout_script step 2 may not fill from $DB_PASSWORD: it is a password not named as a test user's"},
		{"allowed on the command line", jwtHead + "  login_method: POST\n  login_form:\n    k: env:GITHUB_TOKEN\n", []string{"--allow-env", "GITHUB_TOKEN"}, ""},
		{"allowing one name allows no other", jwtHead + "  login_method: POST\n  login_form:\n    k: env:GITHUB_TOKEN\n    p: env:DB_PASSWORD\n", []string{"--allow-env", "GITHUB_TOKEN"}, "field p may not read $DB_PASSWORD"},
		{"mfconform's own secret cannot be allowed", jwtHead, []string{"--allow-env", "AUTH_SECRET_KEY"}, "--allow-env $AUTH_SECRET_KEY: it is mfconform's own secret"},
		{"the command line's own form may read a CI variable", "", []string{"--login-url", "https://login.acme.example/login", "--login-method", "POST", "--login-form", "k=env:GITHUB_TOKEN"}, ""},
		{"but not mfconform's own secret", "", []string{"--login-url", "https://login.acme.example/login", "--login-method", "POST", "--login-form", "k=env:AUTH_SECRET_KEY"},
			"--login-form k may not read $AUTH_SECRET_KEY: it is mfconform's own secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.file != "" {
				args = append([]string{"--config", writeConfig(t, tt.file)}, args...)
			}
			cfg, err := Load(args, func(k string) string { return env[k] })
			if err == nil {
				err = cfg.Validate()
			}
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Load() error = %v, want none", err)
			case tt.want != "" && (err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Load() error = %v, want a configuration error containing %q", err, tt.want)
			}
			if tt.want != "" && strings.Contains(err.Error(), env["GITHUB_TOKEN"]) {
				t.Errorf("the error shows the variable's value: %v", err)
			}
		})
	}
}
