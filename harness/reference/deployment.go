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

// Deployment is a running reference deployment: backend, app and embed site,
// each an HTTPS server on its own 127.0.0.1 random port.
type Deployment struct {
	Profile Profile
	// Secret is AUTH_SECRET_KEY as the operator configured it (the backend
	// signs with it unless Profile.Token.SigningKey is set; the app verifies
	// with it unless Profile.App.Secret is set).
	Secret []byte
	// LoginURL is the backend's login page, e.g.
	// https://login.acme.test:43121/login (http:// when Profile.LoginOverHTTP).
	LoginURL string
	// AppURL is the origin of the app, e.g. https://app.acme.test:40111 (no
	// trailing slash).
	AppURL string
	// EmbedURL is the origin of the embed site, e.g.
	// https://embed.other.test:38001.
	EmbedURL string
	// BeforeLogin are the pages a browser must visit before it logs in to
	// reproduce the profile (the leftover cookie's /legacy-login).
	BeforeLogin []string

	servers httpserve.Group
}

// Start starts the backend, the app and the embed site of profile p, each on
// its own 127.0.0.1 port. secret is the operator's AUTH_SECRET_KEY; ca
// provides the TLS certificate, which must be valid for the three host
// names. On error nothing is left running.
func Start(p Profile, secret []byte, ca *pki.Authority) (*Deployment, error) {
	if ca == nil || len(ca.Leaf.Certificate) == 0 {
		return nil, errors.New("start reference deployment: no certificate authority with a leaf certificate")
	}
	for role, h := range map[string]string{"login": p.Hosts.Login, "app": p.Hosts.App, "embed": p.Hosts.Embed} {
		if h == "" {
			return nil, fmt.Errorf("start reference deployment: no %s host in the profile", role)
		}
	}
	d := &Deployment{Profile: p, Secret: append([]byte(nil), secret...)}

	// Bind every port first: the backend links to the app and the app's CORS
	// policy names the embed site.
	specs := []struct {
		role, host string
		tls        bool
	}{
		{"backend", p.Hosts.Login, !p.LoginOverHTTP},
		{"app", p.Hosts.App, true},
		{"embed", p.Hosts.Embed, true},
	}
	lns := make([]net.Listener, 0, len(specs))
	closeAll := func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}
	for _, s := range specs {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("start reference %s (%s): listen: %w", s.role, s.host, err)
		}
		lns = append(lns, ln)
	}
	origin := func(i int) string {
		scheme := "https"
		if !specs[i].tls {
			scheme = "http"
		}
		port := strconv.Itoa(lns[i].Addr().(*net.TCPAddr).Port)
		return scheme + "://" + net.JoinHostPort(specs[i].host, port)
	}
	d.LoginURL = origin(0) + "/login"
	d.AppURL = origin(1)
	d.EmbedURL = origin(2)

	signKey := d.Secret
	if p.Token.SigningKey != nil {
		signKey = p.Token.SigningKey(append([]byte(nil), d.Secret...))
	}
	appKey := d.Secret
	if p.App.Secret != nil {
		appKey = append([]byte(nil), p.App.Secret...)
	}
	app := newAppHandler(&Verifier{Secret: appKey, Leeway: p.App.Leeway, Faults: p.App, Now: time.Now}, p.Hosts.Embed)
	if p.Leftover != nil {
		app.leftover, app.key = p.Leftover, d.Secret
		d.BeforeLogin = []string{d.AppURL + LegacyLoginPath}
	}
	handlers := []http.Handler{newBackend(p, signKey, d.AppURL, time.Now), app, EmbedHandler()}
	for i, s := range specs {
		if s.role == "app" && p.App.Down {
			// The port was bound only to learn a free number; closing it
			// makes every connection to the app fail.
			_ = lns[i].Close()
			continue
		}
		var srv *httpserve.Server
		if s.tls {
			srv = startServer(lns[i], s.host, handlers[i], ca)
		} else {
			srv = startServer(lns[i], s.host, handlers[i], nil)
		}
		d.servers.Add(srv)
	}
	return d, nil
}

// Close shuts every server down: a graceful shutdown of at most two seconds,
// then a hard close. It returns when all servers have stopped; calling it
// again returns the first result.
func (d *Deployment) Close() error { return d.servers.Close() }
