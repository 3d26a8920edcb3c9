package runner

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mfconform/mfconform/suites/redact"
)

// LoadFile layers a YAML configuration file over c (the defaults). Unknown
// keys are errors naming their line.
func (c *Config) LoadFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w: --config: %v", ErrConfig, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrConfig, path, err)
	}
	return nil
}

// envVars are the MFCONFORM_* variables and what they set; secrets
// (AUTH_SECRET_KEY, SUPABASE_*) are read where they are used, never from a
// flag.
var envVars = []struct {
	name string
	set  func(c *Config, v string)
}{
	{"MFCONFORM_MODE", func(c *Config, v string) { c.Mode = v }},
	{"MFCONFORM_REPORT_DIR", func(c *Config, v string) { c.ReportDir = v }},
	{"MFCONFORM_LABEL_FILTER", func(c *Config, v string) { c.LabelFilter = v }},
	{"MFCONFORM_LOGIN_URL", func(c *Config, v string) { c.JWT.LoginURL = v }},
	{"MFCONFORM_APP_URL", func(c *Config, v string) { c.JWT.AppURL = v }},
	{"MFCONFORM_SECRET_FILE", func(c *Config, v string) { c.JWT.SecretFile = v }},
	{"MFCONFORM_CA_FILE", func(c *Config, v string) { c.Network.CAFile = v }},
	{"MFCONFORM_PROXY", func(c *Config, v string) { c.Network.Proxy = v }},
	{"MFCONFORM_RESOLVE", func(c *Config, v string) { c.Network.Resolve = splitList(v) }},
	{"MFCONFORM_CHROMIUM", func(c *Config, v string) { c.ChromiumPath = v }},
}

// ApplyEnv layers the MFCONFORM_* environment variables over c.
func (c *Config) ApplyEnv(getenv func(string) string) {
	for _, v := range envVars {
		if s := getenv(v.name); s != "" {
			v.set(c, s)
		}
	}
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Effective renders the configuration as YAML for `mfconform config check`,
// with every secret replaced by its fingerprint and login form values that
// come from the environment shown as their variable.
func (c Config) Effective(getenv func(string) string) (string, error) {
	if len(c.JWT.LoginForm) > 0 {
		form := map[string]string{}
		for k, v := range c.JWT.LoginForm {
			if !strings.HasPrefix(v, "env:") {
				v = "(literal, " + redact.Fingerprint([]byte(v)) + ")"
			}
			form[k] = v
		}
		c.JWT.LoginForm = form
	}
	b, err := yaml.Marshal(c)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	out.Write(b)
	fmt.Fprintln(&out, "# secrets (fingerprints only):")
	secrets := []struct{ name, value string }{
		{"AUTH_SECRET_KEY", getenv("AUTH_SECRET_KEY")},
		{"SUPABASE_JWT_SECRET", getenv("SUPABASE_JWT_SECRET")},
		{"NEXT_PUBLIC_SUPABASE_KEY", getenv("NEXT_PUBLIC_SUPABASE_KEY")},
		{"SUPABASE_TEST_PASSWORD", getenv("SUPABASE_TEST_PASSWORD")},
	}
	if c.JWT.SecretFile != "" {
		if b, err := os.ReadFile(c.JWT.SecretFile); err == nil {
			secrets = append(secrets, struct{ name, value string }{"secret_file", strings.TrimSuffix(string(b), "\n")})
		}
	}
	for _, s := range secrets {
		state := "not set"
		if s.value != "" {
			state = redact.Fingerprint([]byte(s.value))
		}
		fmt.Fprintf(&out, "#   %-26s %s\n", s.name, state)
	}
	return out.String(), nil
}
