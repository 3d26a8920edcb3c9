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
// allowed, or IP addresses). The certificates are valid from an hour ago for
// one day, so a skewed reference clock still validates.
func New(names []string) (*Authority, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("pki: no names for the leaf certificate")
	}
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pki: generate CA key: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "mfconform per-run test CA", Organization: []string{"mfconform"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("pki: create CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("pki: parse CA certificate: %w", err)
	}

	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pki: generate leaf key: %w", err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
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
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("pki: create leaf certificate: %w", err)
	}
	leafCert, err := x509.ParseCertificate(leafDER)
	if err != nil {
		return nil, fmt.Errorf("pki: parse leaf certificate: %w", err)
	}
	sum := sha256.Sum256(leafCert.RawSubjectPublicKeyInfo)

	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return &Authority{
		CertPEM:      pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		Pool:         pool,
		Leaf:         tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: leafKey, Leaf: leafCert},
		LeafSPKIHash: base64.StdEncoding.EncodeToString(sum[:]),
	}, nil
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
