package login

import (
	"testing"

	"github.com/mfconform/mfconform/suites/env"
)

func TestValidAndDescribe(t *testing.T) {
	tests := []struct {
		step  env.LoginStep
		valid bool
		desc  string
	}{
		{env.LoginStep{Navigate: "https://app.acme.test/login"}, true, "navigate https://app.acme.test/login"},
		{env.LoginStep{Fill: "#password", Env: "TEST_PASSWORD", Value: "secret-value"}, true, "fill #password from $TEST_PASSWORD"},
		{env.LoginStep{Fill: "#password"}, false, "fill #password from $"},
		{env.LoginStep{Click: "#sign-in"}, true, "click #sign-in"},
		{env.LoginStep{Wait: "#dashboard"}, true, "wait for #dashboard"},
		{env.LoginStep{WaitCookie: "sb-x-auth-token"}, true, "wait for cookie sb-x-auth-token"},
		{env.LoginStep{Click: "#a", Wait: "#b"}, false, "click #a"},
		{env.LoginStep{}, false, "empty step"},
	}
	for _, tt := range tests {
		if got := Valid(tt.step); got != tt.valid {
			t.Errorf("Valid(%+v) = %v, want %v", tt.step, got, tt.valid)
		}
		if got := Describe(tt.step); got != tt.desc {
			t.Errorf("Describe(%+v) = %q, want %q", tt.step, got, tt.desc)
		}
	}
}
