package browser

import (
	"context"
	"fmt"
	"net/url"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// proxyCredentials are the user and password of an authenticating proxy.
// They never go on Chromium's command line (visible to every local user
// in ps); a session answers the proxy's 407 challenge with them through
// CDP instead.
type proxyCredentials struct{ user, password string }

// splitProxy returns the proxy URL without credentials, for
// --proxy-server, and the credentials it carried (nil for none).
func splitProxy(raw string) (string, *proxyCredentials, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", nil, fmt.Errorf("browser: proxy %q: want a URL such as http://proxy.internal:3128", redactedURL(raw))
	}
	if u.User == nil {
		return raw, nil, nil
	}
	pw, _ := u.User.Password()
	c := &proxyCredentials{user: u.User.Username(), password: pw}
	u.User = nil
	return u.String(), c, nil
}

func redactedURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "(unparsable)"
}

// answerProxyAuth makes the tab answer proxy authentication challenges
// with c: Fetch interception with auth handling (CDP Fetch.enable
// handleAuthRequests), every paused request continued unchanged, a proxy's
// challenge answered with the credentials, any other (a server's own)
// left to Chromium's default. Listener callbacks must not call CDP, so the
// answers go out from their own goroutines, bounded by the tab's life.
func answerProxyAuth(ctx, tab context.Context, c *proxyCredentials) error {
	err := chromedp.Listen(tab, func(ev any) {
		switch e := ev.(type) {
		case *fetch.EventRequestPaused:
			go func() {
				_, _ = call(tab, tab, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
			}()
		case *fetch.EventAuthRequired:
			resp := &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseDefault}
			if e.AuthChallenge != nil && e.AuthChallenge.Source == fetch.AuthChallengeSourceProxy {
				resp = &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseProvideCredentials, Username: c.user, Password: c.password}
			}
			go func() {
				_, _ = call(tab, tab, fetch.ContinueWithAuth, fetch.ContinueWithAuthParams{RequestID: e.RequestID, AuthChallengeResponse: resp})
			}()
		}
	})
	if err != nil {
		return err
	}
	handle := true
	_, err = call(ctx, tab, fetch.Enable, fetch.EnableParams{HandleAuthRequests: &handle, Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}})
	return err
}
