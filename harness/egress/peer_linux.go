package egress

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"net"
	"os"
	"strconv"
	"strings"
)

// samePeerUser reports whether the process at the other end of c — a
// loopback TCP connection to a lane — runs as this user. Linux lists every
// TCP socket with its owner in /proc/net/tcp (and tcp6): the peer's socket
// is the one whose local address is c's remote one and whose remote
// address is c's local one. A socket that cannot be found is refused.
func samePeerUser(c net.Conn) bool {
	local, ok1 := c.LocalAddr().(*net.TCPAddr)
	remote, ok2 := c.RemoteAddr().(*net.TCPAddr)
	if !ok1 || !ok2 {
		return false
	}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		if uid, ok := socketOwner(table, remote, local); ok {
			return uid == os.Getuid()
		}
	}
	return false
}

// socketOwner finds the socket from local to remote in a /proc/net/tcp
// table and returns its owner's uid.
func socketOwner(table string, local, remote *net.TCPAddr) (int, bool) {
	f, err := os.Open(table)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // the header
	for sc.Scan() {
		// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid …
		fields := strings.Fields(sc.Text())
		if len(fields) < 8 {
			continue
		}
		if procAddr(fields[1], local) && procAddr(fields[2], remote) {
			uid, err := strconv.Atoi(fields[7])
			return uid, err == nil
		}
	}
	return 0, false
}

// procAddr reports whether s, an address as /proc/net/tcp writes it
// (the address's 32-bit words in the kernel's byte order, as hex, then
// ":" and the port in hex), is a.
func procAddr(s string, a *net.TCPAddr) bool {
	hexIP, hexPort, ok := strings.Cut(s, ":")
	if !ok {
		return false
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil || int(port) != a.Port {
		return false
	}
	raw, err := hex.DecodeString(hexIP)
	if err != nil || len(raw)%4 != 0 {
		return false
	}
	ip := make(net.IP, len(raw))
	for i := 0; i < len(raw); i += 4 {
		binary.NativeEndian.PutUint32(ip[i:], binary.BigEndian.Uint32(raw[i:]))
	}
	return ip.Equal(a.IP)
}
