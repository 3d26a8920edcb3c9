package reference

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/mfconform/mfconform/harness/httpserve"
	"github.com/mfconform/mfconform/harness/pki"
)

// Site is one reference server started on its own, for runs against a real
// deployment: the embedding page on another site, or the reference
// verifier standing in for a Miiflow app that is not deployed yet.
type Site struct {
	// URL is the site's origin, e.g. https://embed.mfconform.test:38001.
	URL string
	srv *httpserve.Server
}

// Close stops the site.
func (s *Site) Close() error {
	if s == nil || s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// StartEmbedSite serves the embedding page (EmbedHandler) over TLS on host.
func StartEmbedSite(host string, ca *pki.Authority) (*Site, error) {
	return startSite(host, EmbedHandler(), ca)
}

// StartApp serves the reference verifier over TLS on host: it verifies
// mf_jwt_token with secret as app describes and allows credentialed
// cross-site fetches from https://embedHost.
func StartApp(host string, app AppProfile, secret []byte, embedHost string, ca *pki.Authority) (*Site, error) {
	if app.Leeway == 0 {
		app.Leeway = DefaultLeeway
	}
	key := append([]byte(nil), secret...)
	if app.Secret != nil {
		key = append([]byte(nil), app.Secret...)
	}
	v := &Verifier{Secret: key, Leeway: app.Leeway, Faults: app, Now: time.Now}
	return startSite(host, newAppHandler(v, embedHost), ca)
}

func startSite(host string, h http.Handler, ca *pki.Authority) (*Site, error) {
	if host == "" || ca == nil {
		return nil, errors.New("start reference site: a host and a certificate authority are required")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start reference site %s: listen: %w", host, err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	return &Site{URL: "https://" + net.JoinHostPort(host, port), srv: startServer(ln, host, h, ca)}, nil
}
