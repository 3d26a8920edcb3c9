package jwt

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestWithin(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"no error", nil, ""},
		{"other error kept", errors.New("page load error net::ERR_TOO_MANY_REDIRECTS"), "page load error net::ERR_TOO_MANY_REDIRECTS"},
		{"timeout named", fmt.Errorf("browser: navigate: %w", context.DeadlineExceeded),
			"no complete answer within the navigation timeout (3s): browser: navigate: context deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := within(tt.err, "navigation", 3*time.Second)
			if (got == nil) != (tt.err == nil) || got != nil && got.Error() != tt.want {
				t.Errorf("within(%v) = %v, want %q", tt.err, got, tt.want)
			}
			if got != nil && !errors.Is(got, tt.err) {
				t.Errorf("within(%v) = %v no longer wraps it", tt.err, got)
			}
		})
	}
}
