//go:build !linux

package browser

import (
	"errors"
	"net"
)

// peerCred is implemented on Linux only (SO_PEERCRED); elsewhere the relay
// refuses every socket peer, so a batch cannot share its browser.
func peerCred(*net.UnixConn) (uid, pid int, err error) {
	return -1, 0, errors.New("peer credentials: only implemented on Linux")
}
