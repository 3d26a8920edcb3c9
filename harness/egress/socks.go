package egress

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
)

// SOCKS5 (RFC 1928) as the guard speaks it: no authentication (method
// 0x00), the CONNECT command only, replies with an IPv4 zero address.
const (
	socksVersion = 0x05

	methodNoAuth       = 0x00
	methodNoAcceptable = 0xFF

	cmdConnect = 0x01

	atypIPv4   = 0x01
	atypDomain = 0x03
	atypIPv6   = 0x04
)

// Reply codes (RFC 1928 §6).
const (
	replySucceeded           = 0x00
	replyGeneralFailure      = 0x01
	replyNotAllowed          = 0x02
	replyNetworkUnreachable  = 0x03
	replyHostUnreachable     = 0x04
	replyConnectionRefused   = 0x05
	replyTTLExpired          = 0x06
	replyCommandNotSupported = 0x07
	replyAddressNotSupported = 0x08
)

var errProtocol = errors.New("egress: not a SOCKS5 CONNECT")

// readConnect reads a client's greeting and CONNECT request and returns
// where it wants to go: a host name or an IP address, and a port.
// Anything else is answered as RFC 1928 says and is an error.
func readConnect(c io.ReadWriter) (host string, port int, err error) {
	var head [2]byte
	if _, err := io.ReadFull(c, head[:]); err != nil {
		return "", 0, err
	}
	if head[0] != socksVersion {
		return "", 0, errProtocol
	}
	methods := make([]byte, head[1])
	if _, err := io.ReadFull(c, methods); err != nil {
		return "", 0, err
	}
	noAuth := false
	for _, m := range methods {
		noAuth = noAuth || m == methodNoAuth
	}
	if !noAuth {
		_, _ = c.Write([]byte{socksVersion, methodNoAcceptable})
		return "", 0, errProtocol
	}
	if _, err := c.Write([]byte{socksVersion, methodNoAuth}); err != nil {
		return "", 0, err
	}
	var req [4]byte
	if _, err := io.ReadFull(c, req[:]); err != nil {
		return "", 0, err
	}
	if req[0] != socksVersion {
		return "", 0, errProtocol
	}
	if req[1] != cmdConnect {
		_ = reply(c, replyCommandNotSupported)
		return "", 0, errProtocol
	}
	switch req[3] {
	case atypIPv4, atypIPv6:
		b := make([]byte, map[byte]int{atypIPv4: 4, atypIPv6: 16}[req[3]])
		if _, err := io.ReadFull(c, b); err != nil {
			return "", 0, err
		}
		host = net.IP(b).String()
	case atypDomain:
		var n [1]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return "", 0, err
		}
		b := make([]byte, n[0])
		if _, err := io.ReadFull(c, b); err != nil {
			return "", 0, err
		}
		host = string(b)
	default:
		_ = reply(c, replyAddressNotSupported)
		return "", 0, errProtocol
	}
	var p [2]byte
	if _, err := io.ReadFull(c, p[:]); err != nil {
		return "", 0, err
	}
	// Chromium sends an IP literal as a domain name; a bracketed IPv6 one
	// is read as the address.
	if ip := net.ParseIP(trimBrackets(host)); ip != nil {
		host = ip.String()
	}
	return host, int(binary.BigEndian.Uint16(p[:])), nil
}

// reply answers a CONNECT with code and an unspecified bound address.
func reply(c io.Writer, code byte) error {
	_, err := c.Write([]byte{socksVersion, code, 0, atypIPv4, 0, 0, 0, 0, 0, 0})
	return err
}

// splice copies both ways until both directions have ended, passing a
// half-close on.
func splice(a, b net.Conn) {
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		} else {
			_ = dst.Close()
		}
		done <- struct{}{}
	}
	go cp(a, b)
	go cp(b, a)
	<-done
	<-done
}

func trimBrackets(h string) string {
	if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
		return h[1 : len(h)-1]
	}
	return h
}

// hostPort joins a host and a port as the guard keys them.
func hostPort(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }
