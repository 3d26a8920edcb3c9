package egress

import (
	"errors"
	"net"
	"testing"
)

// TestProcAddr reads addresses as /proc/net/tcp and tcp6 write them: each
// 32-bit word in the kernel's byte order (little-endian here), then the
// port in hex.
func TestProcAddr(t *testing.T) {
	tests := []struct {
		s    string
		addr *net.TCPAddr
		want bool
	}{
		{"0100007F:1F90", &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8080}, true},
		{"0200007F:1F90", &net.TCPAddr{IP: net.ParseIP("127.0.0.2"), Port: 8080}, true},
		{"0100007F:1F91", &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8080}, false},
		{"0200007F:1F90", &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8080}, false},
		{"00000000000000000000000001000000:0050", &net.TCPAddr{IP: net.ParseIP("::1"), Port: 80}, true},
		{"0000000000000000FFFF00000100007F:0050", &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 80}, true},
		{"nothex:0050", &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 80}, false},
	}
	for _, tt := range tests {
		if got := procAddr(tt.s, tt.addr); got != tt.want {
			t.Errorf("procAddr(%q, %v) = %v, want %v", tt.s, tt.addr, got, tt.want)
		}
	}
}

// TestSamePeerUser: a connection from this process to a loopback listener
// is this user's; the owner is found in /proc/net/tcp.
func TestSamePeerUser(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := <-accepted
	defer s.Close()
	if !samePeerUser(s) {
		t.Error("samePeerUser(a connection from this process) = false")
	}
}

// TestDiagOwner: sock_diag finds the socket of a connection by its
// addresses and names its owner, as /proc/net/tcp does; a socket that is
// not there is not found.
func TestDiagOwner(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	local, remote := c.LocalAddr().(*net.TCPAddr), c.RemoteAddr().(*net.TCPAddr)
	uid, err := diagOwner(local, remote)
	if err != nil {
		t.Skipf("sock_diag is not available here (%v): samePeerUser reads /proc/net/tcp", err)
	}
	if want, ok := socketOwner("/proc/net/tcp", local, remote); !ok || uid != want {
		t.Errorf("diagOwner = %d, /proc/net/tcp says %d (found %v)", uid, want, ok)
	}
	if _, err := diagOwner(&net.TCPAddr{IP: local.IP, Port: 1}, remote); !errors.Is(err, errNotFound) {
		t.Errorf("diagOwner(a socket that is not there) error = %v, want errNotFound", err)
	}
}
