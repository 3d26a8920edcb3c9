package egress

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// samePeerUser reports whether the process at the other end of c — a
// loopback TCP connection to a lane — runs as this user. The peer's socket
// is the one whose local address is c's remote one and whose remote
// address is c's local one; Linux tells its owner through sock_diag
// (NETLINK_SOCK_DIAG, an exact lookup by the four addresses, as `ss` asks
// it) or, where that is not available, in /proc/net/tcp and tcp6, which
// list every socket (slower with many). A socket that cannot be found is
// refused.
func samePeerUser(c net.Conn) bool {
	local, ok1 := c.LocalAddr().(*net.TCPAddr)
	remote, ok2 := c.RemoteAddr().(*net.TCPAddr)
	if !ok1 || !ok2 {
		return false
	}
	uid, err := diagOwner(remote, local)
	if err == nil {
		return uid == os.Getuid()
	}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		if uid, ok := socketOwner(table, remote, local); ok {
			return uid == os.Getuid()
		}
	}
	return false
}

// errNotFound is diagOwner's answer when the kernel knows no such socket.
var errNotFound = errors.New("egress: no such socket")

// Sizes and offsets of linux/inet_diag.h's structures.
const (
	nlmsgHdrLen      = 16
	inetDiagReqLen   = 56 // struct inet_diag_req_v2
	inetDiagUIDAt    = 64 // idiag_uid in struct inet_diag_msg
	inetDiagNoCookie = 0xFFFFFFFF
)

// diagOwner asks the kernel (sock_diag, SOCK_DIAG_BY_FAMILY without
// NLM_F_DUMP: one socket by its addresses) for the owner of the TCP
// socket from local to remote.
func diagOwner(local, remote *net.TCPAddr) (int, error) {
	family, src, dst := uint8(unix.AF_INET), local.IP.To4(), remote.IP.To4()
	if src == nil || dst == nil {
		family, src, dst = unix.AF_INET6, local.IP.To16(), remote.IP.To16()
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	tv := unix.Timeval{Sec: 2}
	_ = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)

	msg := make([]byte, nlmsgHdrLen+inetDiagReqLen)
	ne := binary.NativeEndian
	ne.PutUint32(msg[0:], uint32(len(msg)))
	ne.PutUint16(msg[4:], unix.SOCK_DIAG_BY_FAMILY)
	ne.PutUint16(msg[6:], unix.NLM_F_REQUEST)
	ne.PutUint32(msg[8:], 1) // sequence
	req := msg[nlmsgHdrLen:]
	req[0], req[1] = family, unix.IPPROTO_TCP
	ne.PutUint32(req[4:], 0xFFFFFFFF) // every state
	id := req[8:]                     // struct inet_diag_sockid
	binary.BigEndian.PutUint16(id[0:], uint16(local.Port))
	binary.BigEndian.PutUint16(id[2:], uint16(remote.Port))
	copy(id[4:20], src)
	copy(id[20:36], dst)
	ne.PutUint32(id[40:], inetDiagNoCookie)
	ne.PutUint32(id[44:], inetDiagNoCookie)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return 0, err
	}
	buf := make([]byte, 8192)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		return 0, err
	}
	if n < nlmsgHdrLen {
		return 0, errors.New("egress: short sock_diag answer")
	}
	switch ne.Uint16(buf[4:]) {
	case unix.SOCK_DIAG_BY_FAMILY:
		if n < nlmsgHdrLen+inetDiagUIDAt+4 {
			return 0, errors.New("egress: short sock_diag answer")
		}
		return int(ne.Uint32(buf[nlmsgHdrLen+inetDiagUIDAt:])), nil
	case unix.NLMSG_ERROR:
		if n >= nlmsgHdrLen+4 && int32(ne.Uint32(buf[nlmsgHdrLen:])) == -int32(unix.ENOENT) {
			return 0, errNotFound
		}
		return 0, errors.New("egress: sock_diag refused the lookup")
	}
	return 0, errors.New("egress: unexpected sock_diag answer")
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
