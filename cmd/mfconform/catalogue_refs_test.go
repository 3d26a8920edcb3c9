package main

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/netfail"
)

// deploymentVariables are environment variables of the deployment itself
// (Miiflow's frontend, a self-hosted Supabase, GoTrue) that a fix may tell
// the operator to set there; they are not mfconform's. Each is named in
// the vendor's or Supabase's own documentation or source.
var deploymentVariables = []string{
	"AUTH_SECRET_KEY",                                      // Miiflow (vendor page: Option 2)
	"NEXT_PUBLIC_SUPABASE_URL", "NEXT_PUBLIC_SUPABASE_KEY", // Miiflow (vendor page: Option 1)
	"JWT_SECRET", "ANON_KEY", "SERVICE_ROLE_KEY", "JWT_KEYS", "JWT_JWKS", // supabase/docker .env
	"GOTRUE_JWT_SECRET", "GOTRUE_JWT_KEYS", "GOTRUE_JWT_AUD", "ENABLE_EMAIL_AUTOCONFIRM",
	"GOTRUE_SECURITY_REFRESH_TOKEN_ROTATION_ENABLED", "GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL",
	"GOTRUE_SECURITY_REFRESH_TOKEN_ALLOW_REUSE", // supabase/auth internal/conf
}

// deploymentFiles are files of the deployment a text may name (the
// operator's, not mfconform's), and what they are.
var deploymentFiles = map[string]string{
	"kong.yml":  "a self-hosted Supabase's gateway configuration (supabase/docker/volumes/api/kong.yml)",
	"jwks.json": "the path /auth/v1/.well-known/jwks.json of Supabase Auth",
}

// placeholders are upper-case words a text quotes that are values, not
// variables: the vendor page's placeholder key, a near-miss cookie name.
var placeholders = []string{"YOUR_SECRET_KEY", "MF_JWT_TOKEN"}

// otherTools are flags of other programs a fix tells the operator to run.
var otherTools = map[string]string{"from-literal": "kubectl create secret generic --from-literal"}

// notKeys are dotted words that look like configuration keys but are
// names of something else: domains, a library call.
var notKeys = []string{"jwt.io", "supabase.co", "jwt.decode", "jwt.encode", "jwt.sign", "jwt.verify"}

var (
	flagRef = regexp.MustCompile(`(^|[^\w-])--([a-z][a-z0-9-]*[a-z0-9])`)
	keyRef  = regexp.MustCompile(`\b((?:jwt|supabase|network|timeouts|thresholds)\.[a-z_]+)\b`)
	envRef  = regexp.MustCompile(`(net::)?\$?\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b`)
	fileRef = regexp.MustCompile(`\b([\w-]+\.(?:ya?ml|json|pem|env|conf|toml))\b`)
)

// explainedTexts are every text a finding can carry that tells the
// operator what to do or what went wrong — the catalogue's causes, proofs,
// hypotheses and fixes, and the texts the findings write themselves (an
// environment failure of each kind, the timezone trap as a hypothesis) —
// each named by where it comes from.
func explainedTexts() map[string]string {
	out := map[string]string{}
	add := func(where string, d diag.Diagnostic) {
		out[where+" cause"] = d.Cause
		out[where+" proven by"] = d.ProvenBy
		out[where+" fix"] = d.Fix
		for i, h := range d.Hypotheses {
			out[fmt.Sprintf("%s hypothesis %d", where, i+1)] = h.Cause + " " + h.Tell
		}
	}
	for _, e := range diag.All() {
		add(string(e.Code), diag.New(e.Code, "", ""))
	}
	kinds := map[netfail.Kind]error{
		netfail.DNS: errors.New("page load error net::ERR_NAME_NOT_RESOLVED"), netfail.Refused: errors.New("page load error net::ERR_CONNECTION_REFUSED"),
		netfail.Unreachable: errors.New("page load error net::ERR_ADDRESS_UNREACHABLE"), netfail.Timeout: errors.New("page load error net::ERR_TIMED_OUT"),
		netfail.Reset: errors.New("page load error net::ERR_CONNECTION_RESET"), netfail.UnknownCA: errors.New("page load error net::ERR_CERT_AUTHORITY_INVALID"),
		netfail.CertName: errors.New("page load error net::ERR_CERT_COMMON_NAME_INVALID"), netfail.CertDate: errors.New("page load error net::ERR_CERT_DATE_INVALID"),
		netfail.CertInvalid: errors.New("page load error net::ERR_CERT_REVOKED"), netfail.TLS: errors.New("page load error net::ERR_SSL_PROTOCOL_ERROR"),
		netfail.Proxy: errors.New("page load error net::ERR_PROXY_CONNECTION_FAILED"), netfail.PlainHTTP: errors.New("http: server gave HTTP response to HTTPS client"),
	}
	for kind, err := range kinds {
		f := netfail.Classify("https://app.example.com", err, nil)
		if f.Kind != kind {
			out["netfail "+string(kind)] = "--no-such-classification"
		}
		add("APP_UNREACHABLE ("+string(kind)+")", netfail.Explain(diag.New(diag.AppUnreachable, "", ""), f))
	}
	h := jwtcheck.TimezoneHypothesis(jwtcheck.NaiveOffset{Offset: 2 * time.Hour, Zones: "Europe/Paris", Lifetime: time.Hour, Assumed: true})
	out["the timezone trap as a hypothesis"] = h.Cause + " " + h.Tell
	return out
}

// TestFindingsNameRealThings: every --flag, configuration key,
// environment variable and file a finding's cause, proof, hypotheses or
// fix names exists — the flag in some command's table (allFlags), the key
// and the variable in `run`'s settings table (or the variable among the
// environment inputs, or the deployment's own documented variables), the
// file among the deployment's files — or is a diagnostic code. A fix that
// says --ca (the flag is --ca-file) or names markers no setting has fails
// here.
func TestFindingsNameRealThings(t *testing.T) {
	flags, keys, envs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, fs := range allFlags() {
		for _, f := range fs {
			flags[f.Name] = true
		}
	}
	for _, s := range runner.Settings.Settings {
		keys[s.Key], envs[s.Env] = true, true
		// A key's sections are real names too (supabase.server_check
		// holds .url, .signed_in_status, .user_field).
		for k := s.Key; strings.Contains(k, "."); {
			k = k[:strings.LastIndex(k, ".")]
			keys[k] = true
		}
	}
	for _, in := range runner.EnvInputs {
		envs[in.Name] = true
	}
	for _, v := range append(deploymentVariables, placeholders...) {
		envs[v] = true
	}
	for _, e := range diag.All() {
		envs[string(e.Code)] = true
	}
	texts := explainedTexts()
	if len(texts) < 300 {
		t.Fatalf("explainedTexts() = %d texts, want every catalogue entry's and the findings' own", len(texts))
	}
	for where, text := range texts {
		for _, m := range flagRef.FindAllStringSubmatch(text, -1) {
			if _, other := otherTools[m[2]]; !flags[m[2]] && !other {
				t.Errorf("%s names --%s, which no command's flag table declares: %q", where, m[2], text)
			}
		}
		for _, m := range keyRef.FindAllStringSubmatch(text, -1) {
			if !keys[m[1]] && !slices.Contains(notKeys, m[1]) {
				t.Errorf("%s names the configuration key %s, which run's settings table lacks: %q", where, m[1], text)
			}
		}
		for _, m := range envRef.FindAllStringSubmatch(text, -1) {
			if m[1] != "" {
				continue // Chromium's net::ERR_… error name
			}
			if !envs[m[2]] {
				t.Errorf("%s names %s, which is no setting's variable, environment input, deployment variable or code: %q", where, m[2], text)
			}
		}
		for _, m := range fileRef.FindAllStringSubmatch(text, -1) {
			if _, ok := deploymentFiles[m[1]]; !ok {
				t.Errorf("%s names the file %s, which is no deployment file mfconform knows: %q", where, m[1], text)
			}
		}
	}
}

// TestFindingsNameRealThingsCatches plants the defects the audit found
// and checks that the patterns see them, so the test above can fail.
func TestFindingsNameRealThingsCatches(t *testing.T) {
	flags := map[string]bool{}
	for _, fs := range allFlags() {
		for _, f := range fs {
			flags[f.Name] = true
		}
	}
	for _, tt := range []struct{ text, want string }{
		{"pass --ca for a private CA", "ca"},
		{"map it with --resolve HOST=IP", ""},
		{"give --ca-file FILE", ""},
	} {
		var bad []string
		for _, m := range flagRef.FindAllStringSubmatch(tt.text, -1) {
			if !flags[m[2]] {
				bad = append(bad, m[2])
			}
		}
		if want := slices.DeleteFunc([]string{tt.want}, func(s string) bool { return s == "" }); !slices.Equal(bad, want) {
			t.Errorf("unknown flags in %q = %v, want %v", tt.text, bad, want)
		}
	}
	if keyRef.FindString("raise timeouts.navgation") == "" {
		t.Error("keyRef does not see a misspelt key")
	}
	if m := envRef.FindStringSubmatch("set MFCONFORM_NO_SUCH"); m == nil || m[2] != "MFCONFORM_NO_SUCH" {
		t.Errorf("envRef does not see a variable: %q", m)
	}
	if m := envRef.FindStringSubmatch("Chromium said net::ERR_NAME_NOT_RESOLVED"); m == nil || m[1] == "" {
		t.Errorf("envRef takes Chromium's error name for a variable: %q", m)
	}
}

// untrue are claims the audit found in findings' texts that name things
// that do not exist or are not printed (issue 22, C1 and C8): none may
// come back.
var untrue = []string{
	"markers configured",            // C8: mfconform has no logged-in/logged-out markers
	"logged-in/logged-out markers",  // C8
	"for each key it sees",          // C1: only the given key's fingerprint is printed
	"DNS, connection or TLS failed", // a DNS failure is named as one
}

func TestFindingsMakeNoUntrueClaims(t *testing.T) {
	for where, text := range explainedTexts() {
		for _, u := range untrue {
			if strings.Contains(text, u) {
				t.Errorf("%s says %q: %q", where, u, text)
			}
		}
	}
}
