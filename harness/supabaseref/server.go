package supabaseref

import (
	"net"
	"net/http"

	"github.com/mfconform/mfconform/harness/httpserve"
	"github.com/mfconform/mfconform/harness/pki"
)

// maxBodyBytes bounds every request body the project reads: GoTrue's own
// limit (internal/api/api.go limitRequestBody(1 << 20)).
const maxBodyBytes = 1 << 20

// startServer serves h over TLS on ln for host; other Host headers get 421.
func startServer(ln net.Listener, host string, h http.Handler, ca *pki.Authority) *httpserve.Server {
	return httpserve.Start(ln, host, h, ca)
}
