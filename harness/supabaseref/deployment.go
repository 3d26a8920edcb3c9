package supabaseref

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
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
	// PreviousJWTSecret is the secret the project had before its current
	// one: KeyRotated and KeyStale keys are signed with it.
	PreviousJWTSecret []byte
	// SigningAlg is the access tokens' alg (HS256, ES256 or RS256) and
	// SigningKeyID their kid ("" for HS256). The private key is never
	// exposed.
	SigningAlg, SigningKeyID string
	// JWKSURL is ProjectURL + "/auth/v1/.well-known/jwks.json", served
	// without an apikey.
	JWKSURL string
	// RESTURL is the data API's root, ProjectURL + "/rest/v1/".
	RESTURL string
	// Email and Password are the seeded test user's.
	Email, Password string
	// CustomDomainURL is the project's origin on Profile.CustomDomain, ""
	// without one.
	CustomDomainURL string

	signing *signingKeys // holds the private key: never exported
	servers httpserve.Group
}

// Start starts the reference project of profile p: a random 40-character JWT
// secret (and a previous one) unless p names one, its keys, the signing key
// of p.Signing, the seeded user (with a random password unless p names
// one), and one TLS server on 127.0.0.1:0 that answers only Host
// p.Host(). ca's leaf must be valid for p.Host(). On error nothing is left
// running.
func Start(p Profile, ca *pki.Authority) (*Deployment, error) {
	if err := validate(p, ca); err != nil {
		return nil, fmt.Errorf("start reference supabase: %w", err)
	}
	clock := p.Clock
	if clock == nil {
		clock = time.Now
	}
	now := func() time.Time { return clock().Add(p.ClockOffset) }
	secret := newJWTSecret()
	if len(p.JWTSecret) > 0 {
		secret = append([]byte(nil), p.JWTSecret...)
	}
	if p.User.Password == "" {
		p.User.Password = newPassword()
	}
	d := &Deployment{Profile: p, JWTSecret: secret, PreviousJWTSecret: newJWTSecret(), Email: p.User.Email, Password: p.User.Password}
	keys, err := newProjectKeys(d.JWTSecret, d.PreviousJWTSecret, p.Ref, time.Now(), p.KeyExpired, p.Key == KeyStale)
	if err != nil {
		return nil, fmt.Errorf("start reference supabase: %w", err)
	}
	d.AnonKey, d.ServiceRoleKey, d.PublishableKey, d.SecretKey = keys.anon, keys.serviceRole, keys.publishable, keys.secret
	if d.Key, err = configuredKey(p, keys, d.PreviousJWTSecret, time.Now()); err != nil {
		return nil, fmt.Errorf("start reference supabase: %w", err)
	}
	signing, err := newSigningKeys(p.Signing, d.JWTSecret)
	if err != nil {
		return nil, fmt.Errorf("start reference supabase: %w", err)
	}
	d.signing, d.SigningAlg, d.SigningKeyID = signing, signing.alg, signing.kid
	if p.KeyMangle != nil {
		d.Key = p.KeyMangle(d.Key)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start reference supabase (%s): listen: %w", p.Host(), err)
	}
	d.ProjectURL = origin(p.Host(), ln.Addr())
	d.URL = d.ProjectURL
	d.JWKSURL = d.ProjectURL + authPrefix + "/.well-known/jwks.json"
	d.RESTURL = d.ProjectURL + restPrefix + "/"
	if p.Unreachable {
		if d.URL, err = closedOrigin(p.Host()); err != nil {
			_ = ln.Close()
			return nil, fmt.Errorf("start reference supabase (%s): %w", p.Host(), err)
		}
	}
	if p.URLMangle != nil {
		d.URL = p.URLMangle(d.URL)
	}

	api := newAuthAPI(p, signing, d.ProjectURL+authPrefix, now)
	if _, ae := api.store.addUser(p.User.Email, p.User.Password, p.User.Confirmed, p.User.Metadata, now()); ae != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("start reference supabase: seed user: %w", ae)
	}
	rest := &postgrest{p: p, keys: signing, now: now, host: strings.TrimPrefix(d.ProjectURL, "https://")}
	gw := &gateway{p: p, keys: keys, sign: signing, now: now, api: api, rest: rest}
	if p.CustomDomain != "" {
		aln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			_ = ln.Close()
			return nil, fmt.Errorf("start reference supabase (%s): listen: %w", p.CustomDomain, err)
		}
		d.CustomDomainURL = origin(p.CustomDomain, aln.Addr())
		d.servers.Add(startServer(aln, p.CustomDomain, gw, ca))
	}
	d.servers.Add(startServer(ln, p.Host(), gw, ca))
	return d, nil
}

// Close shuts the server down: a graceful shutdown of at most a second, then
// a hard close. It returns when the server has stopped; calling it again
// returns the first result.
func (d *Deployment) Close() error { return d.servers.Close() }

// validate reports what makes p or ca unusable.
func validate(p Profile, ca *pki.Authority) error {
	switch {
	case ca == nil || len(ca.Leaf.Certificate) == 0:
		return errors.New("no certificate authority with a leaf certificate")
	case p.Ref == "" || p.Domain == "":
		return errors.New("profile has no Ref or Domain")
	case p.User.Email == "":
		return errors.New("profile has no test user email")
	case p.GatewayStyle != "" && p.GatewayStyle != "hosted" && p.GatewayStyle != "kong":
		return fmt.Errorf("unknown gateway style %q (want hosted or kong)", p.GatewayStyle)
	case p.Signing.Alg != "" && p.Signing.Alg != AlgHS256 && p.Signing.Alg != AlgES256 && p.Signing.Alg != AlgRS256:
		return fmt.Errorf("unknown signing algorithm %q (want HS256, ES256 or RS256)", p.Signing.Alg)
	case p.Refresh.AlgorithmVersion < 0 || p.Refresh.AlgorithmVersion > 2:
		// GoTrue internal/conf/configuration.go SecurityConfiguration.Validate.
		return fmt.Errorf("refresh token algorithm version must be 0, 1 or 2 but was %d", p.Refresh.AlgorithmVersion)
	case p.Refresh.ReuseInterval < 0:
		return fmt.Errorf("negative refresh token reuse interval %v", p.Refresh.ReuseInterval)
	case p.REST.PostgRESTVersion != 0 && (p.REST.PostgRESTVersion < 12 || p.REST.PostgRESTVersion > 14):
		return fmt.Errorf("unknown PostgREST version %d (want 12, 13 or 14)", p.REST.PostgRESTVersion)
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
