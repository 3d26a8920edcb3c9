package runner

import (
	"strings"
	"testing"
)

// TestStackSettings: --backend-stack and --app-stack (jwt.backend_stack,
// jwt.app_stack) take a stack of the fix table's or nothing, reach the
// JWT target, and a name mfconform does not know is a clear error that
// lists the known ones.
func TestStackSettings(t *testing.T) {
	getenv := func(string) string { return "" }
	cfg, err := Load([]string{"--config", writeConfig(t, "jwt:\n  backend_stack: express\n"), "--app-stack", "django",
		"--login-url", "https://login.acme.test/login", "--app-url", "https://app.acme.test"}, getenv)
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate() error = %v", err)
	}
	tgt, err := cfg.resolveJWTTarget(getenv)
	if err != nil {
		t.Fatal(err)
	}
	if tgt.BackendStack != "express" || tgt.AppStack != "django" {
		t.Errorf("target stacks = %q, %q; want express (from the file), django (from the flag)", tgt.BackendStack, tgt.AppStack)
	}
	cfg, err = Load([]string{"--backend-stack", "koa"}, getenv)
	if err == nil {
		err = cfg.Validate()
	}
	if err == nil || !strings.Contains(err.Error(), `--backend-stack "koa": want one of flask, django`) {
		t.Errorf("--backend-stack koa: error = %v, want one naming the known stacks", err)
	}
	cfg, err = Load(nil, getenv)
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		t.Errorf("no stack named: error = %v, want none", err)
	}
}
