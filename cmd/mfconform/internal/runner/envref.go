package runner

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/result"
)

// A configuration file (and a targets file) names environment variables
// whose values mfconform types into a target's page or posts to its login
// URL: `env:NAME` login form values, the `env:` of a login or logout
// script's fill steps. Such a file is often editable by people who cannot
// read the CI job's secrets, so it may not name a variable that holds one
// unless the operator allows that name on the command line (--allow-env,
// which no file can set). The rule goes by the variable's name, as a
// tripwire for the names secrets are known to have; it is not a sandbox:
// keep other credentials out of the job's environment.
//
//   - mfconform's own secrets — AUTH_SECRET_KEY, SUPABASE_JWT_SECRET and
//     NEXT_PUBLIC_SUPABASE_KEY — never go into a request to a target, from
//     a file or the command line, allowed or not. The public key leaves
//     mfconform only as the apikey of its own calls to the project URL
//     (the Supabase sign-in itself, which mfconform and its supabase-js
//     page make); an app's sign-in page has the key built in and never
//     asks for it, and a key in that variable may be a leaked service_role
//     or sb_secret_ key, which is what SB-KEY-001 is there to catch.
//   - The CI platform's and mfconform's own variables (GITHUB_*,
//     ACTIONS_*, RUNNER_*, CI_* and MFCONFORM_*): GitHub's job tokens,
//     GitLab's CI_JOB_TOKEN, CI_REGISTRY_PASSWORD and CI_REPOSITORY_URL
//     (the job token in a URL), --proxy's password in MFCONFORM_PROXY.
//     None of them is a test user's credential.
//   - Names that say they hold a secret: containing SECRET, TOKEN,
//     PRIVATE, KEY, CREDENTIAL or PASSPHRASE.
//   - Passwords are what a login form is for, so a name containing
//     PASSWORD (or PASSWD, PWD) may be read when it also says it is a test
//     user's: it contains TEST (TEST_PASSWORD, SUPABASE_TEST_PASSWORD,
//     STAGING_TEST_PASSWORD). Other passwords — DB_PASSWORD, PGPASSWORD,
//     DOCKER_PASSWORD — are refused: GitLab, for one, gives every project
//     variable to every job.
//
// Everything else (TEST_USER, SUPABASE_TEST_EMAIL, LOGIN_NAME) may be read.

// ownSecrets are mfconform's own secret inputs: never typed into a page or
// posted to a target, whoever asks.
var ownSecrets = []string{"AUTH_SECRET_KEY", "SUPABASE_JWT_SECRET", "NEXT_PUBLIC_SUPABASE_KEY"}

// reservedPrefixes are the variable namespaces of CI platforms and of
// mfconform itself.
var reservedPrefixes = []string{"GITHUB_", "ACTIONS_", "RUNNER_", "CI_", "MFCONFORM_"}

// secretWords in a variable's name say it holds a secret.
var secretWords = []string{"SECRET", "TOKEN", "PRIVATE", "KEY", "CREDENTIAL", "PASSPHRASE"}

// passwordWords in a name say it holds a password; with testWord it is a
// test user's.
var passwordWords = []string{"PASSWORD", "PASSWD", "PWD"}

const testWord = "TEST"

// envName is the shape of an environment variable's name.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// envRefusal says why a file may not read the variable name ("" when it
// may), given the names the command line allowed.
func envRefusal(name string, allowed []string) string {
	if why := ownSecretRefusal(name); why != "" {
		return why
	}
	if slices.Contains(allowed, name) {
		return ""
	}
	up := strings.ToUpper(name)
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(up, p) {
			return fmt.Sprintf("it is in the %s* namespace (a CI platform's or mfconform's own variables, such as job tokens)", p)
		}
	}
	for _, w := range secretWords {
		if strings.Contains(up, w) {
			return fmt.Sprintf("its name says it holds a secret (it contains %s)", w)
		}
	}
	for _, w := range passwordWords {
		if strings.Contains(up, w) && !strings.Contains(up, testWord) {
			return fmt.Sprintf("it is a password not named as a test user's (a name with %s and %s is: TEST_PASSWORD, STAGING_TEST_PASSWORD)", w, testWord)
		}
	}
	return ""
}

// ownSecretRefusal says why name may never be read into a request to a
// target, from a file or the command line ("" when it may).
func ownSecretRefusal(name string) string {
	switch {
	case !envName.MatchString(name):
		return "it is not an environment variable's name (env: takes NAME: letters, digits and _)"
	case slices.Contains(ownSecrets, name):
		return "it is mfconform's own secret, which never goes into a request to a target"
	}
	return ""
}

// allowEnvNames checks --allow-env: variable names, none of them
// mfconform's own secrets (which no flag makes sendable).
func allowEnvNames(names []string) error {
	for _, n := range names {
		if why := ownSecretRefusal(n); why != "" {
			return fmt.Errorf("%s: %s", shownEnv(n), why)
		}
	}
	return nil
}

// wantEnv is the shape a refused reference is told to take.
const wantEnv = "a variable holding the test user's credentials (TEST_USER, TEST_PASSWORD, SUPABASE_TEST_EMAIL, SUPABASE_TEST_PASSWORD), " +
	"or --allow-env NAME on the command line for a name the rule refuses"

// checkEnvRefs refuses, before anything runs, every env: reference of the
// run that may not be read: those of the configuration file by the whole
// rule (envRefusal), those of the command line (--login-form) only when
// they name mfconform's own secrets. Each error names where the reference
// is — the file and line, or the flag — and why.
func (c *Config) checkEnvRefs() error {
	fromFile := func(name string) bool {
		from := c.sources[name]
		return from != "" && !strings.HasPrefix(from, "--")
	}
	at := func(path ...any) *result.FileError {
		line, col := c.fileDoc.Line(path...)
		return &result.FileError{Name: result.Clean(c.ConfigFile), Line: line, Column: col, Want: wantEnv}
	}
	for _, k := range sortedKeys(c.JWT.LoginForm) {
		name, ok := strings.CutPrefix(c.JWT.LoginForm[k], "env:")
		if !ok {
			continue
		}
		if !fromFile("--login-form") {
			if why := ownSecretRefusal(name); why != "" {
				return fmt.Errorf("%w: --login-form %s may not read %s: %s", ErrConfig, result.Clean(k), shownEnv(name), why)
			}
			continue
		}
		if why := envRefusal(name, c.AllowEnv); why != "" {
			fe := at("jwt", "login_form", k)
			fe.Problem = fmt.Sprintf("jwt.login_form field %s may not read %s: %s", result.Clean(k), shownEnv(name), why)
			return fmt.Errorf("%w: %w", ErrConfig, fe)
		}
	}
	for _, s := range []struct {
		key   string
		steps []env.LoginStep
	}{
		{"jwt.login_script", c.JWT.LoginScript},
		{"supabase.login_script", c.Supabase.LoginScript},
		{"supabase.logout_script", c.Supabase.LogoutScript},
	} {
		for i, st := range s.steps {
			if st.Fill == "" {
				continue
			}
			if why := envRefusal(st.Env, c.AllowEnv); why != "" {
				section, key, _ := strings.Cut(s.key, ".")
				fe := at(section, key, i, "env")
				fe.Problem = fmt.Sprintf("%s step %d may not fill from %s: %s", s.key, i+1, shownEnv(st.Env), why)
				return fmt.Errorf("%w: %w", ErrConfig, fe)
			}
		}
	}
	return nil
}

// shownEnv is how a message names the variable name: $NAME, or a
// placeholder for what is no variable's name (a file's text is not
// echoed).
func shownEnv(name string) string {
	if !envName.MatchString(name) {
		return "a value"
	}
	return "$" + name
}

// sortedKeys are m's keys in order, so the first refusal is always the
// same one.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TargetArgsProblem says why a targets file's args for one target may not
// be used ("" when they may), given the names the batch's command line
// allowed (--allow-env). A targets file is a file: its args are less
// trusted than the command line though they reach each run's command line,
// so they may not set a command-line-only setting (--config aside, which
// a target's config: names anyway), and their --login-form values' env:
// references follow a configuration file's rule (envRefusal).
func TargetArgsProblem(args, allowEnv []string) string {
	cl, err := Settings.Parse(args)
	if err != nil {
		// The flag package quotes the file's text: not shown.
		return "args that are not all `mfconform run` flags (mfconform run --help lists them)"
	}
	for _, s := range Settings.Settings {
		if s.Flag == "" || s.CommandLineOnly == "" || s.Flag == "config" || !cl.Set(s.Flag) {
			continue
		}
		how := "a targets file is no command line"
		if s.Flag == "allow-env" || s.Flag == "reference-secret-from-env" {
			how = "give it to the batch (mfconform run --targets FILE --" + s.Flag + "), which passes it to every target"
		}
		return fmt.Sprintf("args may not set --%s, which is command-line only (%s): %s", s.Flag, s.CommandLineOnly, how)
	}
	form := cl.Values().JWT.LoginForm
	for _, k := range sortedKeys(form) {
		if name, ok := strings.CutPrefix(form[k], "env:"); ok {
			if why := envRefusal(name, allowEnv); why != "" {
				return fmt.Sprintf("args' --login-form %s may not read %s: %s", result.Clean(k), shownEnv(name), why)
			}
		}
	}
	return ""
}

// CheckAllowEnv checks --allow-env names (a batch's too).
func CheckAllowEnv(names []string) error { return allowEnvNames(names) }
