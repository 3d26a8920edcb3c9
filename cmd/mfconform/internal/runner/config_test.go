package runner

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/result"
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
		{"resolve", func(c *Config) { c.Network.Resolve = []string{"*.acme.test=10.0.0.1", "v6.acme.test=::1"} }, nil},
		{"resolve pattern Chromium reads as a glob", func(c *Config) { c.Network.Resolve = []string{"a?c.test=127.0.0.1"} }, ErrConfig},
		{"resolve to a name", func(c *Config) { c.Network.Resolve = []string{"a.test=localhost"} }, ErrConfig},
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

// TestReadFileLimit: files named by an operator or a pull request are read
// to a bound, never to their end: /dev/zero fails fast.
func TestReadFileLimit(t *testing.T) {
	small := filepath.Join(t.TempDir(), "small")
	if err := os.WriteFile(small, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		max     int64
		want    string
		wantErr string
	}{
		{"within the bound", small, 5, "12345", ""},
		{"one byte over", small, 4, "", "larger than 4 bytes"},
		{"endless", "/dev/zero", 1 << 20, "", "larger than 1048576 bytes"},
		{"missing", filepath.Join(t.TempDir(), "nope"), 10, "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ReadFileLimit(tt.path, tt.max)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ReadFileLimit(%q, %d) error = %v, want one containing %q", tt.path, tt.max, err, tt.wantErr)
				}
				return
			}
			if err != nil || string(b) != tt.want {
				t.Fatalf("ReadFileLimit(%q, %d) = %q, %v; want %q", tt.path, tt.max, b, err, tt.want)
			}
		})
	}
	for _, load := range []struct {
		name string
		err  func() error
	}{
		{"--config", func() error { c := Defaults(); return c.LoadFile("/dev/zero") }},
		{"--secret-file", func() error { _, err := readSecret(func(string) string { return "" }, "/dev/zero"); return err }},
		{"--ca-file", func() error { _, err := readPrivateCA(Config{Network: NetworkConfig{CAFile: "/dev/zero"}}); return err }},
		{"--waivers", func() error { _, err := result.LoadWaivers("/dev/zero"); return err }},
	} {
		if err := load.err(); err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("%s /dev/zero: error = %v, want a bound", load.name, err)
		}
	}
}
