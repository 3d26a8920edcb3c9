package egress

import "context"

// tagKey carries the name of the work a context belongs to.
type tagKey struct{}

// WithTag names the work done under ctx (an evidence bundle), so that the
// lanes of the sessions it opens — and what they refuse — carry its name.
func WithTag(ctx context.Context, tag string) context.Context {
	return context.WithValue(ctx, tagKey{}, tag)
}

// TagOf returns the name WithTag gave ctx, "" for none.
func TagOf(ctx context.Context) string {
	s, _ := ctx.Value(tagKey{}).(string)
	return s
}
