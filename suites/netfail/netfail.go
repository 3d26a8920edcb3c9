// Package netfail tells why a target gave no answer — the name did not
// resolve, nothing accepted the connection, the certificate is not
// trusted, the time ran out — from the error a Go client or Chromium
// returned, and turns an environment finding (APP_UNREACHABLE,
// LOGIN_UNREACHABLE, SUPABASE_URL_UNREACHABLE) into one whose cause is that
// fact and whose fix names the flag that helps: --resolve with the host,
// --ca-file, the host and port that refused. An error it cannot classify
// leaves the finding's ranked hypotheses as they are.
//
// Go errors are read by type (net.DNSError, syscall.ECONNREFUSED,
// x509.UnknownAuthorityError, x509.HostnameError, net.Error's Timeout);
// Chromium's by the net::ERR_* text of chromedp's LoadError, whose names
// are those of Chromium's net/base/net_error_list.h.
package netfail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"syscall"

	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/suites/diag"
)

// Kind is what failed on the way to an answer.
type Kind string

// The kinds of failure Classify tells apart.
const (
	Unknown     Kind = ""
	DNS         Kind = "name lookup"          // the name did not resolve
	Refused     Kind = "connection refused"   // nothing accepted the connection
	Unreachable Kind = "address unreachable"  // no route to the address
	Timeout     Kind = "timeout"              // no answer in time
	Reset       Kind = "connection reset"     // the connection broke off
	UnknownCA   Kind = "unknown authority"    // the certificate's issuer is not trusted
	CertName    Kind = "certificate name"     // the certificate is not for this name
	CertDate    Kind = "certificate date"     // the certificate expired or is not yet valid
	PlainHTTP   Kind = "plain http"           // the port speaks http, not TLS
	TLS         Kind = "TLS"                  // another TLS failure
	Proxy       Kind = "proxy"                // the proxy refused or failed
	CertInvalid Kind = "certificate rejected" // another certificate failure
)

// Failure is one failure to reach a target, classified.
type Failure struct {
	Kind Kind
	// Host and Port are the target's (the port defaulted from the
	// scheme); Addr the address that was dialled when the error names it.
	Host, Port, Addr string
	// Rule is the host map's rule that maps Host ("*.acme.test=127.0.0.2":
	// an operator's --resolve, or the embedded deployment's own), "" when
	// the name resolves normally.
	Rule string
	// Said is what in the error told the kind: "net::ERR_NAME_NOT_RESOLVED",
	// "no such host".
	Said string
	// Chromium says the error is Chromium's: it names no host, and a
	// redirect may have led elsewhere.
	Chromium bool
}

// chromiumKinds maps Chromium's net error names to kinds.
var chromiumKinds = map[string]Kind{
	"ERR_NAME_NOT_RESOLVED":              DNS,
	"ERR_NAME_RESOLUTION_FAILED":         DNS,
	"ERR_CONNECTION_REFUSED":             Refused,
	"ERR_ADDRESS_UNREACHABLE":            Unreachable,
	"ERR_CONNECTION_TIMED_OUT":           Timeout,
	"ERR_TIMED_OUT":                      Timeout,
	"ERR_CONNECTION_RESET":               Reset,
	"ERR_CONNECTION_CLOSED":              Reset,
	"ERR_EMPTY_RESPONSE":                 Reset,
	"ERR_CERT_AUTHORITY_INVALID":         UnknownCA,
	"ERR_CERT_COMMON_NAME_INVALID":       CertName,
	"ERR_CERT_DATE_INVALID":              CertDate,
	"ERR_CERT_INVALID":                   CertInvalid,
	"ERR_CERT_REVOKED":                   CertInvalid,
	"ERR_CERT_WEAK_KEY":                  CertInvalid,
	"ERR_SSL_PROTOCOL_ERROR":             TLS,
	"ERR_SSL_VERSION_OR_CIPHER_MISMATCH": TLS,
	"ERR_PROXY_CONNECTION_FAILED":        Proxy,
	"ERR_TUNNEL_CONNECTION_FAILED":       Proxy,
}

// chromiumError finds a net::ERR_* name in an error's text.
var chromiumError = regexp.MustCompile(`net::(ERR_[A-Z_]+)`)

// Classify reads err, the error of a request to target (a URL; "" to take
// it from a Go client's *url.Error), with the run's host map (nil: none).
func Classify(target string, err error, hosts *hostmap.Map) Failure {
	f := Failure{}
	var ue *url.Error
	if target == "" && errors.As(err, &ue) {
		target = ue.URL
	}
	if u, perr := url.Parse(target); perr == nil {
		f.Host, f.Port = u.Hostname(), u.Port()
		if f.Port == "" {
			f.Port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
		}
	}
	if hosts != nil && f.Host != "" {
		if pattern, addr := hosts.Match(f.Host); addr != "" {
			f.Rule = pattern + "=" + addr
		}
	}
	if err == nil {
		return f
	}
	if m := chromiumError.FindStringSubmatch(err.Error()); m != nil {
		f.Chromium, f.Said = true, "net::"+m[1]
		f.Kind = chromiumKinds[m[1]]
		return f
	}
	f.Kind, f.Said = goKind(err, &f)
	return f
}

// goKind classifies a Go client's error and records the address it names.
func goKind(err error, f *Failure) (Kind, string) {
	var op *net.OpError
	if errors.As(err, &op) && op.Addr != nil {
		f.Addr = op.Addr.String()
	}
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var recordHeader tls.RecordHeaderError
	var netErr net.Error
	msg := err.Error()
	switch {
	case errors.As(err, &dns):
		if dns.Name != "" {
			f.Host = dns.Name
		}
		if dns.IsTimeout {
			return Timeout, "a name lookup that timed out"
		}
		return DNS, "lookup " + dns.Name + ": " + dns.Err
	case strings.HasPrefix(msg, "proxyconnect") || strings.Contains(msg, " proxyconnect "):
		return Proxy, "proxyconnect"
	case errors.Is(err, syscall.ECONNREFUSED):
		return Refused, "connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		return Unreachable, "no route to host"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		return Reset, "connection reset"
	case errors.As(err, &unknownCA):
		return UnknownCA, "x509: certificate signed by unknown authority"
	case errors.As(err, &hostname):
		return CertName, "x509: certificate is not valid for " + hostname.Host
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return CertDate, "x509: certificate has expired or is not yet valid"
	case errors.As(err, &invalid):
		return CertInvalid, "x509: " + invalid.Error()
	case strings.Contains(msg, "server gave HTTP response to HTTPS client"),
		errors.As(err, &recordHeader) && strings.HasPrefix(string(recordHeader.RecordHeader[:]), "HTTP"):
		return PlainHTTP, "an HTTP answer to a TLS handshake"
	case strings.Contains(msg, "tls: "):
		return TLS, msg[strings.Index(msg, "tls: "):]
	case errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout(),
		strings.Contains(msg, "timeout awaiting response headers"),
		strings.Contains(msg, "Client.Timeout exceeded"):
		return Timeout, "no answer in time"
	case errors.Is(err, net.ErrClosed), strings.Contains(msg, "EOF"):
		return Reset, "the connection closed before an answer"
	}
	return Unknown, ""
}

// hostPort is "host:port" of the target, with the mapped address.
func (f Failure) hostPort() string {
	hp := net.JoinHostPort(f.Host, f.Port)
	switch {
	case f.Rule != "":
		_, addr, _ := strings.Cut(f.Rule, "=")
		hp += " (" + net.JoinHostPort(addr, f.Port) + ", mapped by the host rule " + f.Rule + ")"
	case f.Addr != "":
		hp += " (" + f.Addr + ")"
	}
	return hp
}

// where says whose name a Chromium error is about: the URL's host, or a
// host a redirect led to (Chromium's error names neither).
func (f Failure) where() string {
	if f.Chromium {
		return f.Host + " (or a host its redirects lead to)"
	}
	return f.Host
}

// Explain makes d, an environment finding about a target that gave no
// answer, say what failed — proven by the observed error — and the fix
// for that; an unknown kind leaves d as it is (its hypotheses stand).
func Explain(d diag.Diagnostic, f Failure) diag.Diagnostic {
	by := "the observed error (" + f.Said + ")"
	switch f.Kind {
	case DNS:
		d = d.Settled(fmt.Sprintf("The name %s does not resolve from this machine, so no connection was made.", f.where()), by)
		return d.WithFix(fmt.Sprintf("If the name is right but only resolves inside another network, map it to the address that serves it: "+
			"--resolve %s=IP (repeatable; *.domain=IP maps a whole domain). Otherwise correct the URL's host or its DNS record.", f.Host))
	case Refused:
		d = d.Proven(fmt.Sprintf("The connection to %s was refused: nothing accepts connections on port %s there.", f.hostPort(), f.Port), by)
		d = d.Likely(
			diag.Maybe("The service is not running, or listens on another port than the URL says.",
				fmt.Sprintf("on the host, ss -ltnp | grep :%s lists no listener; curl -v the URL from this machine.", f.Port)),
			diag.Maybe("The name resolves (or --resolve maps it) to another machine than the one that serves it.",
				"the address in the observation is not the server's; correct --resolve HOST=IP or the DNS record."),
			diag.Maybe("A firewall on the way rejects the connection.",
				"the same curl from a machine next to the server connects."))
		return d.WithFix(fmt.Sprintf("Start the service on port %s of %s, or point the URL (or --resolve %s=IP) at the address and port it listens on.", f.Port, f.Host, f.Host))
	case Unreachable:
		d = d.Settled(fmt.Sprintf("No network route from this machine reaches %s.", f.hostPort()), by)
		return d.WithFix(fmt.Sprintf("Run mfconform from a machine on the deployment's network, or reach it through --proxy URL; check --resolve %s=IP if you map it.", f.Host))
	case Timeout:
		d = d.Proven(fmt.Sprintf("No answer came from %s within the time allowed.", f.hostPort()), by)
		d = d.Likely(
			diag.Maybe("A firewall or security group drops the connection.",
				fmt.Sprintf("curl -v https://%s/ from this machine hangs at \"Trying …\".", net.JoinHostPort(f.Host, f.Port))),
			diag.Maybe("The network needs a proxy to reach it.", "other machines reach it through a proxy: pass --proxy URL."),
			diag.Maybe("The server accepts the connection but answers too slowly.",
				"curl connects at once and then waits; raise timeouts.probe and timeouts.navigation in the configuration file only if the server is slow by design."))
		return d.WithFix("Open the way from this machine to " + net.JoinHostPort(f.Host, f.Port) + " (firewall, --proxy URL), or fix the server that does not answer.")
	case Reset:
		d = d.Proven(fmt.Sprintf("The connection to %s broke off before an answer.", f.hostPort()), by)
		d = d.Likely(
			diag.Maybe("The server (or a proxy in front of it) crashes or closes on this request.",
				"its log at the time of the run; curl -v the same URL."),
			diag.Maybe("The port speaks another protocol than the URL's scheme (plain http behind an https URL, or the reverse).",
				"curl -v http://… and https://… to the same port: one of them answers."))
		return d.WithFix("Read the server's (or its proxy's) log at the time of the run and make it answer the URL's scheme on that port.")
	case UnknownCA:
		d = d.Settled(fmt.Sprintf("The certificate %s presents is issued by an authority this machine does not trust (a private or self-signed CA).", f.where()), by)
		return d.WithFix("Pass --ca-file FILE with the PEM certificate of the CA that issued it (the file your other clients trust), or serve a certificate from a public CA.")
	case CertName:
		d = d.Settled(fmt.Sprintf("The certificate %s presents is not valid for the name %s.", f.where(), f.Host), by)
		return d.WithFix(fmt.Sprintf("Serve a certificate whose names include %s, or use a URL with a name the certificate covers (--resolve maps a name to an address; it does not change the name checked).", f.Host))
	case CertDate:
		d = d.Settled(fmt.Sprintf("The certificate %s presents has expired or is not yet valid.", f.where()), by)
		return d.WithFix("Renew the certificate (and check the clocks of the server and of this machine).")
	case CertInvalid:
		d = d.Settled(fmt.Sprintf("The certificate %s presents is refused as invalid (revoked, a weak key, or malformed).", f.where()), by)
		return d.WithFix("Serve a valid certificate for the name; the observation says what was wrong with this one.")
	case PlainHTTP:
		d = d.Settled(fmt.Sprintf("Port %s of %s answers plain http to an https URL.", f.Port, f.Host), by)
		return d.WithFix("Use the http:// URL for that port, or serve https there (a TLS-terminating proxy in front is fine); the cookie checks need https.")
	case TLS:
		d = d.Proven(fmt.Sprintf("The TLS handshake with %s failed.", f.hostPort()), by)
		d = d.Likely(
			diag.Maybe("The port does not speak TLS (plain http on an https URL).", "curl -v http://HOST:PORT/ answers."),
			diag.Maybe("Server and client share no TLS version or cipher (mfconform needs TLS 1.2 or later).",
				"openssl s_client -connect HOST:PORT -tls1_2 fails too."))
		return d.WithFix("Serve TLS 1.2 or later with a current cipher on that port, or use the URL of the port that does.")
	case Proxy:
		d = d.Settled("The proxy refused or failed the connection (the observation quotes it).", by)
		return d.WithFix("Check --proxy URL (its address, port and credentials), or drop it when the target is reachable directly.")
	}
	return d
}
