package runner

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mfconform/mfconform/suites/result"
)

// maxErrorText bounds an error about a file or a command line, whatever
// the file holds.
const maxErrorText = result.MaxText + 1024

// checkPrintable fails unless text is valid UTF-8 without a raw control
// character (what result.Clean would escape).
func checkPrintable(t *testing.T, what, text string) {
	t.Helper()
	if !utf8.ValidString(text) || result.Clean(text) != text {
		t.Fatalf("%s holds raw control characters or invalid UTF-8: %q", what, text)
	}
}

// FuzzParseFile holds the --config file parser to its promises on any
// bytes: an error wraps ErrConfig and is printable and bounded; a file
// that parses validates and renders (config check) without panicking,
// printably; and what it parsed to marshals back to YAML that parses to
// the same configuration.
func FuzzParseFile(f *testing.F) {
	for _, s := range []string{
		"", "mode: jwt\n", "timeouts:\n  navigation: 3s\n  evidence: 15s\n",
		"jwt:\n  login_url: https://u:p@login.example.com/login\n  app_url: reference\n  login_form:\n    password: env:PW\n",
		"jwt:\n  login_script:\n    - navigate: https://x/\n    - fill: \"#u\"\n      env: U\n",
		"network:\n  resolve: ['*.acme.test=127.0.0.1', 'a=::1']\n  proxy: 'http://u:p@[bad'\n",
		"mode: jwt\ncolour: blue\n", "\x1b[31m: x\n", "a: &a [*a, *a]\n", "thresholds:\n  max_token_lifetime: -1ns\n",
		"label_filter: 'area:(cookie'\n", "mode: \"\\e]0;t\\a\\u202e\"\n", "timeouts: {suite: 99999999h}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c := Defaults()
		if err := c.ParseFile("fuzz.yaml", b); err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("ParseFile error %v does not wrap ErrConfig", err)
			}
			checkPrintable(t, "ParseFile error", err.Error())
			if len(err.Error()) > maxErrorText {
				t.Fatalf("ParseFile error is %d bytes", len(err.Error()))
			}
			return
		}
		if err := c.Validate(); err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("Validate error %v does not wrap ErrConfig", err)
			}
			checkPrintable(t, "Validate error", err.Error())
		}
		out, err := c.Effective(func(string) string { return "" })
		if err != nil {
			t.Fatalf("Effective: %v", err)
		}
		checkPrintable(t, "Effective", out)

		again, err := Settings.File(&c)
		if err != nil {
			t.Fatalf("Settings.File(config): %v", err)
		}
		c2 := Defaults()
		if err := c2.ParseFile("again.yaml", again); err != nil {
			t.Fatalf("the configuration marshalled back does not parse: %v\n%s", err, again)
		}
		if twice, _ := Settings.File(&c2); string(twice) != string(again) {
			t.Fatalf("the configuration changed through YAML:\n%s\nwant:\n%s", twice, again)
		}
	})
}

// secretVars are the environment variables whose values must never be
// shown.
var secretVars = []string{"AUTH_SECRET_KEY", "SUPABASE_JWT_SECRET", "NEXT_PUBLIC_SUPABASE_KEY", "SUPABASE_TEST_PASSWORD"}

// FuzzLoad holds Load, Validate and Effective to their promises for any
// command line and environment: errors wrap ErrUsage, ErrConfig or ErrHelp
// and are printable; no secret from the environment and no password in a
// target or proxy URL appears in an error or in `config check`'s output
// (unless the same text was also given somewhere public).
func FuzzLoad(f *testing.F) {
	f.Add("--mode\njwt\n--login-url\nhttps://login.example.com/login\n--app-url\nreference", "AUTH_SECRET_KEY=k3y-v4lue-0123456789-abcdef")
	f.Add("--proxy\nhttp://user:hunter2pass@proxy.example:3128", "SUPABASE_TEST_PASSWORD=pw-0123456789")
	f.Add("--proxy\nhttp://user:hunter2pass@[bad", "")
	f.Add("--login-url\nhttps://u:s3cr3tpass@login.example.com/%zz\n--app-url\nreference", "")
	f.Add("--\x1b[31m", "MFCONFORM_MODE=\x1b]0;x\x07")
	f.Add("--fixture\nhost-only\n--login-url\nhttps://x/login", "NEXT_PUBLIC_SUPABASE_URL=https://p.supabase.co\nNEXT_PUBLIC_SUPABASE_KEY=sb_secret_abcdefghijklmnop")
	f.Add("--label-filter\narea:(\u202e", "MFCONFORM_RESOLVE=a=1.2.3.4, *.b=::1")
	f.Add("--login-method\nPOST\n--login-form\npassword=env:PW\n--login-url\nhttps://l.example.com/x\n--app-url\nhttps://a.example.com", "PW=form-password-123")
	f.Fuzz(func(t *testing.T, argText, envText string) {
		joined := argText + "\n" + envText
		for _, risky := range []string{"/dev", "/proc", "/sys", "fd/", "shared", "SHARED"} {
			if strings.Contains(joined, risky) {
				t.Skip("names a device, a process file or a batch's shared browser")
			}
		}
		var args []string
		if argText != "" {
			args = strings.Split(argText, "\n")
		}
		env := map[string]string{}
		for _, line := range strings.Split(envText, "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				env[k] = v
			}
		}
		getenv := func(k string) string { return env[k] }
		// A value is secret when it was given only as a secret.
		public := argText
		for k, v := range env {
			if !isSecretVar(k) {
				public += "\n" + v
			}
		}
		var secrets []string
		for _, k := range secretVars {
			if v := env[k]; len(v) >= 8 && !strings.Contains(public, v) && strings.Count(envText, v) == 1 {
				secrets = append(secrets, v)
			}
		}
		check := func(what, text string) {
			t.Helper()
			checkPrintable(t, what, text)
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Fatalf("%s shows a secret %q: %q", what, s, text)
				}
			}
		}
		cfg, err := Load(args, getenv)
		if err != nil {
			if !errors.Is(err, ErrUsage) && !errors.Is(err, ErrConfig) && !errors.Is(err, ErrHelp) {
				t.Fatalf("Load error %v wraps none of ErrUsage, ErrConfig, ErrHelp", err)
			}
			check("Load error", err.Error())
			return
		}
		for _, u := range []string{cfg.JWT.LoginURL, cfg.JWT.AppURL, cfg.Network.Proxy} {
			if pw := urlPassword(u); len(pw) >= 6 && strings.Count(joined, pw) == 1 {
				secrets = append(secrets, pw)
			}
		}
		if err := cfg.Validate(); err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("Validate error %v does not wrap ErrConfig", err)
			}
			check("Validate error", err.Error())
		}
		out, err := cfg.Effective(getenv)
		if err != nil {
			t.Fatalf("Effective: %v", err)
		}
		check("Effective", out)
	})
}

func isSecretVar(k string) bool {
	for _, s := range secretVars {
		if k == s {
			return true
		}
	}
	return false
}

// urlPassword is the password of a URL's authority as a reader would see
// it: after "//", before the path, before the last "@", after the first
// ":"; "" when there is none.
func urlPassword(raw string) string {
	_, rest, ok := strings.Cut(raw, "//")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return ""
	}
	_, pw, _ := strings.Cut(rest[:at], ":")
	return pw
}

// FuzzRedactURL: redactURL never shows a URL's password, whether the URL
// parses or not, and leaves a URL without credentials as it is.
func FuzzRedactURL(f *testing.F) {
	for _, s := range []string{
		"https://login.example.com/login", "http://user:hunter2pass@proxy.example:3128", "http://user:hunter2pass@[bad",
		"https://u:p4ssw0rd@h/%zz", "https://a@b:pw-pw-pw@c/d@e", "http://:secretpw@host", "mailto:user@example.com", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := redactURL(raw)
		if pw := urlPassword(raw); len(pw) >= 4 && strings.Count(raw, pw) == 1 && !strings.Contains("xxxxx", pw) && strings.Contains(got, pw) {
			t.Fatalf("redactURL(%q) = %q shows the password %q", raw, got, pw)
		}
		if !strings.Contains(raw, "@") && got != raw {
			t.Fatalf("redactURL(%q) = %q changed a URL without credentials", raw, got)
		}
	})
}
