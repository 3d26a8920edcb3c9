package reference

import (
	"net"
	"net/http"

	"github.com/mfconform/mfconform/harness/httpserve"
	"github.com/mfconform/mfconform/harness/pki"
)

// startServer serves h on ln for host: TLS with ca, plain HTTP without.
func startServer(ln net.Listener, host string, h http.Handler, ca *pki.Authority) *httpserve.Server {
	return httpserve.Start(ln, host, h, ca)
}
