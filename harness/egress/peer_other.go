//go:build !linux

package egress

import "net"

// samePeerUser admits every local peer where the system does not say who
// owns a socket; the guard's port is then open to every local user, as a
// browser's own proxy settings would be.
func samePeerUser(net.Conn) bool { return true }
