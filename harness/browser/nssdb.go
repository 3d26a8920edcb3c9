package browser

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// CertutilHint tells an operator how to get NSS's certutil.
const CertutilHint = "install it with `sudo apt-get install -y libnss3-tools` (`make deps` does this)"

// ErrCertutilMissing is returned when NSS's certutil, needed to make
// Chromium trust a private CA, is not on PATH. Its text carries CertutilHint.
var ErrCertutilMissing = errors.New("certutil not found on PATH; " + CertutilHint)

// certutilTimeout bounds every certutil call of one BuildNSSDB together.
const certutilTimeout = 20 * time.Second

// caNickname is the NSS nickname of the i-th (from 1) certificate of a CA
// file, as `certutil -L` lists it.
func caNickname(i int) string { return fmt.Sprintf("mfconform-ca-%d", i) }

// nssDBDir is where Chromium on Linux reads its NSS database for a HOME.
func nssDBDir(home string) string { return filepath.Join(home, ".pki", "nssdb") }

// BuildNSSDB creates a fresh NSS database (sql: format, empty password) in
// <home>/.pki/nssdb and adds every CERTIFICATE block of caPEM to it as a CA
// trusted for TLS servers ("C,,"). Chromium started with HOME=home then
// trusts certificates those CAs issued. Other PEM blocks are ignored. It
// refuses a home that already holds an NSS database, so it never touches an
// operator's own; the certificates are staged in temporary files inside home
// and removed. The certutil calls are bounded by 20 s in total.
func BuildNSSDB(home string, caPEM []byte) error {
	if home == "" {
		return errors.New("browser: build NSS database: no home directory given")
	}
	certs, err := pemCertificates(caPEM)
	if err != nil {
		return err
	}
	certutil, err := exec.LookPath("certutil")
	if err != nil {
		return fmt.Errorf("browser: build NSS database: %w", ErrCertutilMissing)
	}
	dir := nssDBDir(home)
	if _, err := os.Stat(filepath.Join(dir, "cert9.db")); err == nil {
		return fmt.Errorf("browser: build NSS database: %s already holds one; pass a home of its own (an empty folder) or remove it", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("browser: build NSS database: %w", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), certutilTimeout)
	defer cancel()
	db := "sql:" + dir
	if err := runCertutil(ctx, certutil, "-N", "--empty-password", "-d", db); err != nil {
		return fmt.Errorf("browser: create NSS database in %s: %w", dir, err)
	}
	for i, der := range certs {
		nick := caNickname(i + 1)
		if err := addCA(ctx, certutil, home, db, nick, der); err != nil {
			return fmt.Errorf("browser: add CA certificate %d of %d (%s) to %s: %w", i+1, len(certs), nick, dir, err)
		}
	}
	return nil
}

// pemCertificates returns the DER of every CERTIFICATE block of data, each
// checked to parse.
func pemCertificates(data []byte) ([][]byte, error) {
	var certs [][]byte
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			return nil, fmt.Errorf("browser: CA file: certificate %d is not a valid X.509 certificate: %v; pass the CA's PEM file as exported by your PKI", len(certs)+1, err)
		}
		certs = append(certs, b.Bytes)
	}
	if len(certs) == 0 {
		return nil, errors.New("browser: CA file holds no PEM certificate (no \"-----BEGIN CERTIFICATE-----\" block); " +
			"pass the CA certificate in PEM form (convert DER with `openssl x509 -inform der -in ca.der -out ca.pem`)")
	}
	return certs, nil
}

// addCA stages one certificate in a temporary file inside home and adds it
// to the database as a CA trusted for TLS servers.
func addCA(ctx context.Context, certutil, home, db, nick string, der []byte) error {
	f, err := os.CreateTemp(home, ".mfconform-ca-*.pem")
	if err != nil {
		return fmt.Errorf("stage certificate: %w", err)
	}
	defer os.Remove(f.Name())
	werr := pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("stage certificate: %w", werr)
	}
	return runCertutil(ctx, certutil, "-A", "-n", nick, "-t", "C,,", "-a", "-i", f.Name(), "-d", db)
}

// runCertutil runs certutil and turns a failure into an error carrying its
// output.
func runCertutil(ctx context.Context, certutil string, args ...string) error {
	cmd := exec.CommandContext(ctx, certutil, args...)
	cmd.WaitDelay = time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("certutil %s did not finish within %s; run it by hand to see what it waits for", strings.Join(args, " "), certutilTimeout)
	}
	if err != nil {
		return fmt.Errorf("certutil %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}
