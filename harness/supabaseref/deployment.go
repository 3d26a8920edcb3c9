package supabaseref

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/mfconform/mfconform/harness/httpserve"
	"github.com/mfconform/mfconform/harness/pki"
)

// Deployment is a running reference project plus the two variables a
// deployment configured for it.
type Deployment struct {
	Profile Profile
	// JWTSecret is the project's current JWT secret (SUPABASE_JWT_SECRET).
	JWTSecret []byte
	// ProjectURL is the real origin, e.g.
	// https://abcdefghijklmnopqrst.supabase.test:41234.
	ProjectURL string
	// URL is NEXT_PUBLIC_SUPABASE_URL as the deployment configured it:
	// ProjectURL (an origin on a closed port with Profile.Unreachable)
	// through Profile.URLMangle.
	URL string
	// Key is NEXT_PUBLIC_SUPABASE_KEY as configured (Profile.Key,
	// KeyExpired, then KeyMangle).
	Key string
	// AnonKey, ServiceRoleKey, PublishableKey and SecretKey are the
	// project's real keys, for tests and fixtures.
	AnonKey, ServiceRoleKey, PublishableKey, SecretKey string
	// Email and Password are the seeded test user's.
	Email, Password string

	srv       *httpserve.Server
	closeOnce sync.Once
	closeErr  error
}

// Start starts the reference project of profile p: a random 40-character JWT
// secret, its keys, the seeded user, and one TLS server on 127.0.0.1:0 that
// answers only Host p.Host(). ca's leaf must be valid for p.Host(). On error
// nothing is left running.
func Start(p Profile, ca *pki.Authority) (*Deployment, error) {
	if err := validate(p, ca); err != nil {
		return nil, fmt.Errorf("start reference supabase: %w", err)
	}
	now := func() time.Time { return time.Now().Add(p.ClockOffset) }
	secret := newJWTSecret()
	if len(p.JWTSecret) > 0 {
		secret = append([]byte(nil), p.JWTSecret...)
	}
	d := &Deployment{Profile: p, JWTSecret: secret, Email: p.User.Email, Password: p.User.Password}
	keys, err := newProjectKeys(d.JWTSecret, p.Ref, time.Now(), p.KeyExpired)
	if err != nil {
		return nil, fmt.Errorf("start reference supabase: %w", err)
	}
	d.AnonKey, d.ServiceRoleKey, d.PublishableKey, d.SecretKey = keys.anon, keys.serviceRole, keys.publishable, keys.secret
	if d.Key, err = configuredKey(p, keys, time.Now()); err != nil {
		return nil, fmt.Errorf("start reference supabase: %w", err)
	}
	if p.KeyMangle != nil {
		d.Key = p.KeyMangle(d.Key)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start reference supabase (%s): listen: %w", p.Host(), err)
	}
	d.ProjectURL = origin(p.Host(), ln.Addr())
	d.URL = d.ProjectURL
	if p.Unreachable {
		if d.URL, err = closedOrigin(p.Host()); err != nil {
			_ = ln.Close()
			return nil, fmt.Errorf("start reference supabase (%s): %w", p.Host(), err)
		}
	}
	if p.URLMangle != nil {
		d.URL = p.URLMangle(d.URL)
	}

	api := newAuthAPI(p, d.JWTSecret, d.ProjectURL+authPrefix, now)
	if _, ae := api.store.addUser(p.User.Email, p.User.Password, p.User.Confirmed, now()); ae != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("start reference supabase: seed user: %w", ae)
	}
	d.srv = startServer(ln, p.Host(), &gateway{p: p, keys: keys, now: now, api: api}, ca)
	return d, nil
}

// Close shuts the server down: a graceful shutdown of at most a second, then
// a hard close. It returns when the server has stopped; calling it again
// returns the first result.
func (d *Deployment) Close() error {
	d.closeOnce.Do(func() {
		if d.srv != nil {
			d.closeErr = d.srv.Close()
		}
	})
	return d.closeErr
}

// validate reports what makes p or ca unusable.
func validate(p Profile, ca *pki.Authority) error {
	switch {
	case ca == nil || len(ca.Leaf.Certificate) == 0:
		return errors.New("no certificate authority with a leaf certificate")
	case p.Ref == "" || p.Domain == "":
		return errors.New("profile has no Ref or Domain")
	case p.User.Email == "" || p.User.Password == "":
		return errors.New("profile has no test user email or password")
	case p.GatewayStyle != "" && p.GatewayStyle != "hosted" && p.GatewayStyle != "kong":
		return fmt.Errorf("unknown gateway style %q (want hosted or kong)", p.GatewayStyle)
	}
	return nil
}

// origin is https://host:port for the port of addr.
func origin(host string, addr net.Addr) string {
	return "https://" + net.JoinHostPort(host, strconv.Itoa(addr.(*net.TCPAddr).Port))
}

// closedOrigin returns an https origin for host on a loopback port where
// nothing listens: bound once to learn a free number, then closed.
func closedOrigin(host string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("reserve a closed port: %w", err)
	}
	o := origin(host, ln.Addr())
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("reserve a closed port: %w", err)
	}
	return o, nil
}
