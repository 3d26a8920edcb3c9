package pki

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net"
	"testing"
	"time"
)

func TestNewVerifiesNames(t *testing.T) {
	a, err := New([]string{"login.acme.test", "*.acme.test", "127.0.0.1", "::1"})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	leaf := a.Leaf.Leaf
	if leaf == nil {
		t.Fatal("New().Leaf.Leaf = nil, want the parsed leaf")
	}
	tests := []struct {
		name    string
		dnsName string
		wantOK  bool
	}{
		{name: "exact DNS name", dnsName: "login.acme.test", wantOK: true},
		{name: "wildcard covers one label", dnsName: "app.acme.test", wantOK: true},
		{name: "wildcard covers another label", dnsName: "x.acme.test", wantOK: true},
		{name: "IPv4 SAN", dnsName: "127.0.0.1", wantOK: true},
		{name: "IPv6 SAN", dnsName: "::1", wantOK: true},
		{name: "wildcard does not cover the apex", dnsName: "acme.test", wantOK: false},
		{name: "wildcard does not cover two labels", dnsName: "a.b.acme.test", wantOK: false},
		{name: "unrelated name", dnsName: "other.test", wantOK: false},
		{name: "unlisted IP", dnsName: "127.0.0.2", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := leaf.Verify(x509.VerifyOptions{DNSName: tt.dnsName, Roots: a.Pool})
			if (err == nil) != tt.wantOK {
				t.Errorf("Verify(DNSName=%q) error = %v, want ok=%v", tt.dnsName, err, tt.wantOK)
			}
		})
	}
}

func TestNewLeafContents(t *testing.T) {
	a, err := New([]string{"login.acme.test", "*.acme.test", "127.0.0.1"})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	leaf := a.Leaf.Leaf

	if got, want := leaf.Subject.CommonName, "login.acme.test"; got != want {
		t.Errorf("leaf CommonName = %q, want %q", got, want)
	}
	if got, want := len(leaf.DNSNames), 2; got != want {
		t.Errorf("len(leaf.DNSNames) = %d (%v), want %d", got, leaf.DNSNames, want)
	}
	if len(leaf.IPAddresses) != 1 || !leaf.IPAddresses[0].Equal(net.ParseIP("127.0.0.1")) {
		t.Errorf("leaf.IPAddresses = %v, want [127.0.0.1]", leaf.IPAddresses)
	}
	if leaf.IsCA {
		t.Error("leaf.IsCA = true, want false")
	}
	now := time.Now()
	if !leaf.NotBefore.Before(now.Add(-30*time.Minute)) || !leaf.NotAfter.After(now.Add(12*time.Hour)) {
		t.Errorf("leaf validity = %v..%v, want from about an hour ago for about a day", leaf.NotBefore, leaf.NotAfter)
	}

	sum := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	if got, want := a.LeafSPKIHash, base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Errorf("LeafSPKIHash = %q, want %q", got, want)
	}

	block, rest := pem.Decode(a.CertPEM)
	if block == nil || block.Type != "CERTIFICATE" || len(rest) != 0 {
		t.Fatalf("CertPEM = %q, want exactly one CERTIFICATE block", a.CertPEM)
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("ParseCertificate(CertPEM) error = %v", err)
	}
	if !ca.IsCA {
		t.Error("CertPEM IsCA = false, want true")
	}
	if err := leaf.CheckSignatureFrom(ca); err != nil {
		t.Errorf("leaf.CheckSignatureFrom(CertPEM) error = %v, want nil", err)
	}
	if got, want := len(a.Leaf.Certificate), 2; got != want {
		t.Errorf("len(Leaf.Certificate) = %d, want %d (leaf and CA)", got, want)
	}
}

func TestNewFreshPerCall(t *testing.T) {
	a, err := New([]string{"a.test"})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	b, err := New([]string{"a.test"})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	if a.LeafSPKIHash == b.LeafSPKIHash {
		t.Errorf("two New() calls share LeafSPKIHash %q, want fresh keys", a.LeafSPKIHash)
	}
	if _, err := a.Leaf.Leaf.Verify(x509.VerifyOptions{DNSName: "a.test", Roots: b.Pool}); err == nil {
		t.Error("leaf of one authority verifies against another's Pool, want an error")
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name  string
		names []string
	}{
		{name: "nil", names: nil},
		{name: "empty", names: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(tt.names)
			if err == nil {
				t.Errorf("New(%q) = %v, nil, want an error", tt.names, a)
			}
		})
	}
}

func TestServerTLSHandshake(t *testing.T) {
	a, err := New([]string{"*.acme.test", "127.0.0.1"})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	tests := []struct {
		name       string
		serverName string
		nextProtos []string
		wantProto  string
		wantErr    bool
	}{
		{name: "h2 under a wildcard name", serverName: "app.acme.test", nextProtos: []string{"h2", "http/1.1"}, wantProto: "h2"},
		{name: "http/1.1 only client", serverName: "login.acme.test", nextProtos: []string{"http/1.1"}, wantProto: "http/1.1"},
		{name: "IP address", serverName: "127.0.0.1", nextProtos: []string{"h2"}, wantProto: "h2"},
		{name: "name not in the certificate", serverName: "other.test", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			cc, sc := net.Pipe()
			defer cc.Close()
			defer sc.Close()

			server := tls.Server(sc, a.ServerTLS())
			serverErr := make(chan error, 1)
			go func() {
				err := server.HandshakeContext(ctx)
				if err != nil {
					sc.Close()
				}
				serverErr <- err
			}()

			client := tls.Client(cc, &tls.Config{ServerName: tt.serverName, RootCAs: a.Pool, NextProtos: tt.nextProtos})
			err := client.HandshakeContext(ctx)
			if tt.wantErr {
				if err == nil {
					t.Errorf("client Handshake(ServerName=%q) error = nil, want a verification error", tt.serverName)
				}
				cc.Close()
				<-serverErr
				return
			}
			if err != nil {
				t.Fatalf("client Handshake(ServerName=%q) error = %v", tt.serverName, err)
			}
			if err := <-serverErr; err != nil {
				t.Fatalf("server Handshake() error = %v", err)
			}
			st := client.ConnectionState()
			if st.NegotiatedProtocol != tt.wantProto {
				t.Errorf("NegotiatedProtocol = %q, want %q", st.NegotiatedProtocol, tt.wantProto)
			}
			if st.Version < tls.VersionTLS12 {
				t.Errorf("TLS version = %x, want at least TLS 1.2", st.Version)
			}
		})
	}
}

func TestServerTLSRefusesOldTLS(t *testing.T) {
	a, err := New([]string{"a.test"})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	cc, sc := net.Pipe()
	defer cc.Close()
	defer sc.Close()
	go func() {
		_ = tls.Server(sc, a.ServerTLS()).Handshake()
		sc.Close()
	}()
	client := tls.Client(cc, &tls.Config{ServerName: "a.test", RootCAs: a.Pool, MaxVersion: tls.VersionTLS11, MinVersion: tls.VersionTLS10})
	if err := client.Handshake(); err == nil {
		t.Error("client Handshake(MaxVersion=TLS1.1) error = nil, want a protocol version error")
	}
}

// TestNameConstraints: a CA vouches only for the names it was made for —
// a leaf for another host is refused when issued and, were one forged
// with the CA's key, rejected by a verifier.
func TestNameConstraints(t *testing.T) {
	ca, err := NewCA([]string{"login.acme.test", "*.supabase.test", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"login.acme.test", true}, {"sub.login.acme.test", true}, {"x.supabase.test", true}, {"127.0.0.1", true},
		{"app.acme.test", false}, {"acme.test", false}, {"bank.example.com", false}, {"10.0.0.1", false},
	} {
		if got := ca.Permits(tt.name); got != tt.ok {
			t.Errorf("Permits(%s) = %v, want %v", tt.name, got, tt.ok)
		}
		if _, err := ca.Issue([]string{tt.name}); (err == nil) != tt.ok {
			t.Errorf("Issue(%s) error = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
	// A leaf for a foreign name signed with the CA's key anyway: Go's
	// verifier (as any RFC 5280 verifier) refuses it.
	rogue := *ca
	rogue.cert = &x509.Certificate{}
	*rogue.cert = *ca.cert
	rogue.cert.PermittedDNSDomains = nil
	rogue.cert.PermittedIPRanges = nil
	leaf, err := rogue.Issue([]string{"bank.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	_, err = leaf.Leaf.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "bank.example.com"})
	var inv x509.CertificateInvalidError
	if !errors.As(err, &inv) || inv.Reason != x509.CANotAuthorizedForThisName {
		t.Errorf("verifying a leaf for bank.example.com under the constrained CA: %v, want CANotAuthorizedForThisName", err)
	}
	ok, err := ca.Issue([]string{"login.acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ok.Leaf.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "login.acme.test"}); err != nil {
		t.Errorf("a leaf for a permitted name does not verify: %v", err)
	}
	if _, err := NewCA(nil); err == nil {
		t.Error("NewCA(no names) error = nil, want one")
	}
}
