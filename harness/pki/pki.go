// Package pki makes the per-run certificate authority and the leaf
// certificate that the reference deployment serves, so that real TLS runs on
// loopback under real host names.
package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// Authority is a throw-away certificate authority plus one leaf certificate
// valid for every name the run serves.
type Authority struct {
	// CertPEM is the CA certificate in PEM form, for curl --cacert and for
	// Go clients.
	CertPEM []byte
	// Pool trusts the CA.
	Pool *x509.CertPool
	// Leaf is the server certificate with its key, for tls.Config.
	Leaf tls.Certificate
	// LeafSPKIHash is base64(sha256(SubjectPublicKeyInfo)) of the leaf, the
	// value Chromium's --ignore-certificate-errors-spki-list expects.
	LeafSPKIHash string
}

// New creates a CA and a leaf certificate for names (DNS names, wildcards
// allowed, or IP addresses). The CA may vouch for those names only. The
// certificates are valid from an hour ago for one day, so a skewed
// reference clock still validates.
func New(names []string) (*Authority, error) {
	ca, err := NewCA(names)
	if err != nil {
		return nil, err
	}
	return ca.Issue(names)
}

// CA is a certificate authority that can issue leaves; a batch of runs
// shares one, trusted once by a shared browser.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	der  []byte
}

// NewCA creates a throw-away CA valid from an hour ago for one day. Its
// critical name constraints (RFC 5280 §4.2.1.10) permit only names — the
// DNS names (a wildcard's base domain) and IP addresses the run or batch
// serves — so a leaked CA key, such as a batch's on disk, cannot vouch for
// any other host.
func NewCA(names []string) (*CA, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("pki: a CA needs the names it may vouch for")
	}
	now := time.Now()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pki: generate CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:                serial(),
		Subject:                     pkix.Name{CommonName: "mfconform per-run test CA", Organization: []string{"mfconform"}},
		NotBefore:                   now.Add(-time.Hour),
		NotAfter:                    now.Add(24 * time.Hour),
		KeyUsage:                    x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid:       true,
		IsCA:                        true,
		MaxPathLenZero:              true,
		PermittedDNSDomainsCritical: true,
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			bits := 8 * len(ip)
			if v4 := ip.To4(); v4 != nil {
				ip, bits = v4, 32
			}
			tmpl.PermittedIPRanges = append(tmpl.PermittedIPRanges, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		tmpl.PermittedDNSDomains = append(tmpl.PermittedDNSDomains, strings.TrimPrefix(n, "*."))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("pki: create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: parse CA certificate: %w", err)
	}
	return &CA{cert: cert, key: key, der: der}, nil
}

// CertPEM is the CA certificate in PEM form.
func (c *CA) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der})
}

// MarshalPEM returns the certificate and the private key, for handing the
// CA to another mfconform process of the same batch (files mode 0600).
func (c *CA) MarshalPEM() (certPEM, keyPEM []byte, err error) {
	k, err := x509.MarshalECPrivateKey(c.key)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: encode CA key: %w", err)
	}
	return c.CertPEM(), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: k}), nil
}

// ParseCA reads a CA written by MarshalPEM.
func ParseCA(certPEM, keyPEM []byte) (*CA, error) {
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, fmt.Errorf("pki: shared CA: no PEM block")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("pki: shared CA certificate: %w", err)
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("pki: shared CA key: %w", err)
	}
	return &CA{cert: cert, key: key, der: cb.Bytes}, nil
}

// Issue creates a leaf certificate for names signed by the CA; a name
// outside the CA's constraints is an error (no verifier would accept it).
func (c *CA) Issue(names []string) (*Authority, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("pki: no names for the leaf certificate")
	}
	for _, n := range names {
		if !c.Permits(n) {
			return nil, fmt.Errorf("pki: %s is outside the names the CA may vouch for", n)
		}
	}
	now := time.Now()
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pki: generate leaf key: %w", err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(23 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			leafTmpl.IPAddresses = append(leafTmpl.IPAddresses, ip)
		} else {
			leafTmpl.DNSNames = append(leafTmpl.DNSNames, n)
		}
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, c.cert, &leafKey.PublicKey, c.key)
	if err != nil {
		return nil, fmt.Errorf("pki: create leaf certificate: %w", err)
	}
	leafCert, err := x509.ParseCertificate(leafDER)
	if err != nil {
		return nil, fmt.Errorf("pki: parse leaf certificate: %w", err)
	}
	sum := sha256.Sum256(leafCert.RawSubjectPublicKeyInfo)
	pool := x509.NewCertPool()
	pool.AddCert(c.cert)
	return &Authority{
		CertPEM:      c.CertPEM(),
		Pool:         pool,
		Leaf:         tls.Certificate{Certificate: [][]byte{leafDER, c.der}, PrivateKey: leafKey, Leaf: leafCert},
		LeafSPKIHash: base64.StdEncoding.EncodeToString(sum[:]),
	}, nil
}

// Permits reports whether the CA's name constraints allow name (a CA
// without constraints allows every name).
func (c *CA) Permits(name string) bool {
	if len(c.cert.PermittedDNSDomains) == 0 && len(c.cert.PermittedIPRanges) == 0 {
		return true
	}
	if ip := net.ParseIP(name); ip != nil {
		for _, r := range c.cert.PermittedIPRanges {
			if r.Contains(ip) {
				return true
			}
		}
		return false
	}
	name = strings.ToLower(strings.TrimPrefix(name, "*."))
	for _, d := range c.cert.PermittedDNSDomains {
		d = strings.ToLower(d)
		if name == d || strings.HasSuffix(name, "."+d) {
			return true
		}
	}
	return false
}

// ServerTLS returns a server configuration that presents the leaf and speaks
// HTTP/2 and HTTP/1.1.
func (a *Authority) ServerTLS() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{a.Leaf},
		NextProtos:   []string{"h2", "http/1.1"},
		MinVersion:   tls.VersionTLS12,
	}
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}
