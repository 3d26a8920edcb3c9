package runner

import (
	"errors"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr error
	}{
		{"defaults", func(*Config) {}, nil},
		{"unknown mode", func(c *Config) { c.Mode = "ldap" }, ErrConfig},
		{"supabase", func(c *Config) { c.Mode = ModeSupabase }, nil},
		{"jwt", func(c *Config) { c.Mode = ModeJWT }, nil},
		{"empty report dir", func(c *Config) { c.ReportDir = "" }, ErrConfig},
		{"bad label filter", func(c *Config) { c.LabelFilter = "area:(cookie" }, ErrConfig},
		{"good label filter", func(c *Config) { c.LabelFilter = "area:cookie || area:token" }, nil},
		{"zero timeout", func(c *Config) { c.Timeouts.Navigation = 0 }, ErrConfig},
		{"negative timeout", func(c *Config) { c.Timeouts.Suite = -time.Second }, ErrConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Defaults()
			tt.mutate(&c)
			err := c.Validate()
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Validate() error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestLabelFilter(t *testing.T) {
	c := Defaults()
	if got, want := c.labelFilter(), "(mode:jwt || mode:supabase)"; got != want {
		t.Errorf("labelFilter() = %q, want %q", got, want)
	}
	c.Mode = ModeJWT
	if got, want := c.labelFilter(), "mode:jwt"; got != want {
		t.Errorf("labelFilter() = %q, want %q", got, want)
	}
	c.LabelFilter = "area:cookie || area:app"
	if got, want := c.labelFilter(), "mode:jwt && (area:cookie || area:app)"; got != want {
		t.Errorf("labelFilter() = %q, want %q", got, want)
	}
}
