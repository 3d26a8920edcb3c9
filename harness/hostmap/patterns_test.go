package hostmap

import "testing"

// TestAddRejectsPatternsThatCannotMatch keeps the Go side and Chromium's
// resolver rules in agreement: patterns Lookup could never match are
// refused rather than silently ignored.
func TestAddRejectsPatternsThatCannotMatch(t *testing.T) {
	for _, p := range []string{"acme.test.", "foo*.test", "*.", "*", ".acme.test", "*.*.test", "a?c.test", "a..test", "a\tb.test", "a\x00.test", "bücher.test", "a;b.test"} {
		var m Map
		if err := m.Add(p, "127.0.0.1"); err == nil {
			t.Errorf("Add(%q) = nil, want an error", p)
		}
	}
}
