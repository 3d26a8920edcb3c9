package hostmap

import (
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAdd(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		addr    string
		wantErr string // substring of the error, "" for none
	}{
		{name: "exact host", pattern: "login.acme.test", addr: "127.0.0.1"},
		{name: "wildcard", pattern: "*.acme.test", addr: "127.0.0.1"},
		{name: "IPv6 address", pattern: "v6.acme.test", addr: "::1"},
		{name: "surrounding space trimmed", pattern: "  app.acme.test ", addr: "127.0.0.1"},
		{name: "empty pattern", pattern: "", addr: "127.0.0.1", wantErr: "bad host pattern"},
		{name: "blank pattern", pattern: "   ", addr: "127.0.0.1", wantErr: "bad host pattern"},
		{name: "pattern with port", pattern: "acme.test:443", addr: "127.0.0.1", wantErr: "bad host pattern"},
		{name: "pattern with comma", pattern: "a.test,b.test", addr: "127.0.0.1", wantErr: "bad host pattern"},
		{name: "pattern with space", pattern: "a.test b.test", addr: "127.0.0.1", wantErr: "bad host pattern"},
		{name: "pattern is a URL", pattern: "https://acme.test/", addr: "127.0.0.1", wantErr: "bad host pattern"},
		{name: "address is a host name", pattern: "acme.test", addr: "localhost", wantErr: "not an IP address"},
		{name: "address with port", pattern: "acme.test", addr: "127.0.0.1:8443", wantErr: "not an IP address"},
		{name: "empty address", pattern: "acme.test", addr: "", wantErr: "not an IP address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Map
			err := m.Add(tt.pattern, tt.addr)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Add(%q, %q) error = %v, want nil", tt.pattern, tt.addr, err)
				}
				host := strings.TrimSpace(tt.pattern)
				if w, ok := strings.CutPrefix(host, "*."); ok {
					host = "x." + w
				}
				if got := m.Lookup(host); got != tt.addr {
					t.Errorf("after Add(%q, %q): Lookup(%q) = %q, want %q", tt.pattern, tt.addr, host, got, tt.addr)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Add(%q, %q) error = %v, want one containing %q", tt.pattern, tt.addr, err, tt.wantErr)
			}
			if got := m.ChromiumRules(); got != "" {
				t.Errorf("after failed Add: ChromiumRules() = %q, want \"\"", got)
			}
		})
	}
}

func TestAddReplaces(t *testing.T) {
	var m Map
	mustAdd(t, &m, "acme.test", "127.0.0.1")
	mustAdd(t, &m, "ACME.test", "127.0.0.2")
	if got, want := m.Lookup("acme.test"), "127.0.0.2"; got != want {
		t.Errorf("Lookup(%q) = %q, want %q", "acme.test", got, want)
	}
	if got, want := m.ChromiumRules(), "MAP acme.test 127.0.0.2, MAP acme.test. 127.0.0.2"; got != want {
		t.Errorf("ChromiumRules() = %q, want %q", got, want)
	}
}

func TestLookup(t *testing.T) {
	var m Map
	mustAdd(t, &m, "*.test", "10.0.0.1")
	mustAdd(t, &m, "*.acme.test", "10.0.0.2")
	mustAdd(t, &m, "*.eu.acme.test", "10.0.0.3")
	mustAdd(t, &m, "login.acme.test", "10.0.0.4")
	mustAdd(t, &m, "Mixed.Example", "10.0.0.5")

	tests := []struct {
		name string
		host string
		want string
	}{
		{name: "exact wins over wildcard", host: "login.acme.test", want: "10.0.0.4"},
		{name: "wildcard", host: "app.acme.test", want: "10.0.0.2"},
		{name: "longest wildcard wins", host: "app.eu.acme.test", want: "10.0.0.3"},
		{name: "deeper name under the longest wildcard", host: "a.b.eu.acme.test", want: "10.0.0.3"},
		{name: "shorter wildcard when the longer does not match", host: "other.test", want: "10.0.0.1"},
		{name: "wildcard does not match its own apex", host: "test", want: ""},
		{name: "apex falls to the shorter wildcard", host: "acme.test", want: "10.0.0.1"},
		{name: "suffix without a dot boundary", host: "notacme.example", want: ""},
		{name: "no match", host: "example.com", want: ""},
		{name: "empty host", host: "", want: ""},
		{name: "upper-case host", host: "LOGIN.ACME.TEST", want: "10.0.0.4"},
		{name: "upper-case host under a wildcard", host: "App.Acme.Test", want: "10.0.0.2"},
		{name: "pattern added in mixed case", host: "mixed.example", want: "10.0.0.5"},
		{name: "trailing dot on an exact name", host: "login.acme.test.", want: "10.0.0.4"},
		{name: "trailing dot under a wildcard", host: "app.eu.acme.test.", want: "10.0.0.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.Lookup(tt.host); got != tt.want {
				t.Errorf("Lookup(%q) = %q, want %q", tt.host, got, tt.want)
			}
		})
	}
}

func TestLookupZeroMap(t *testing.T) {
	var m Map
	if got := m.Lookup("acme.test"); got != "" {
		t.Errorf("zero Map: Lookup(%q) = %q, want \"\"", "acme.test", got)
	}
	if got := m.ChromiumRules(); got != "" {
		t.Errorf("zero Map: ChromiumRules() = %q, want \"\"", got)
	}
}

func TestChromiumRules(t *testing.T) {
	tests := []struct {
		name  string
		rules [][2]string // in the order added
		want  string
	}{
		{name: "none", want: ""},
		{name: "one", rules: [][2]string{{"*.acme.test", "127.0.0.1"}}, want: "MAP *.acme.test 127.0.0.1, MAP *.acme.test. 127.0.0.1"},
		{
			// Chromium takes the first rule that matches: an exact name
			// must come before a wildcard that covers it, as Lookup
			// prefers it.
			name:  "exact names before wildcards, regardless of insertion order",
			rules: [][2]string{{"login.acme.test", "127.0.0.2"}, {"*.acme.test", "127.0.0.1"}, {"app.other.test", "127.0.0.3"}},
			want: "MAP app.other.test 127.0.0.3, MAP app.other.test. 127.0.0.3, MAP login.acme.test 127.0.0.2, MAP login.acme.test. 127.0.0.2, " +
				"MAP *.acme.test 127.0.0.1, MAP *.acme.test. 127.0.0.1",
		},
		{
			name:  "same rules other order",
			rules: [][2]string{{"app.other.test", "127.0.0.3"}, {"*.acme.test", "127.0.0.1"}, {"login.acme.test", "127.0.0.2"}},
			want: "MAP app.other.test 127.0.0.3, MAP app.other.test. 127.0.0.3, MAP login.acme.test 127.0.0.2, MAP login.acme.test. 127.0.0.2, " +
				"MAP *.acme.test 127.0.0.1, MAP *.acme.test. 127.0.0.1",
		},
		{
			name:  "longer wildcard first",
			rules: [][2]string{{"*.test", "10.0.0.1"}, {"*.staging.acme.test", "10.0.0.3"}, {"*.acme.test", "10.0.0.2"}},
			want: "MAP *.staging.acme.test 10.0.0.3, MAP *.staging.acme.test. 10.0.0.3, MAP *.acme.test 10.0.0.2, MAP *.acme.test. 10.0.0.2, " +
				"MAP *.test 10.0.0.1, MAP *.test. 10.0.0.1",
		},
		{name: "IPv6 bracketed", rules: [][2]string{{"v6.acme.test", "::1"}}, want: "MAP v6.acme.test [::1], MAP v6.acme.test. [::1]"},
		{name: "lower-cased", rules: [][2]string{{"*.ACME.test", "127.0.0.1"}}, want: "MAP *.acme.test 127.0.0.1, MAP *.acme.test. 127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Map
			for _, r := range tt.rules {
				mustAdd(t, &m, r[0], r[1])
			}
			for i := range 20 { // map iteration order varies; the output must not
				if got := m.ChromiumRules(); got != tt.want {
					t.Fatalf("ChromiumRules() call %d = %q, want %q", i, got, tt.want)
				}
			}
		})
	}
}

func TestDialContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen() error = %v", err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = io.WriteString(c, "hello from "+c.LocalAddr().String())
			c.Close()
		}
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)

	var m Map
	mustAdd(t, &m, "*.test", "127.0.0.1")

	tests := []struct {
		name string
		addr string
	}{
		{name: "name under the wildcard", addr: "anything.test:" + port},
		{name: "deeper name, upper case", addr: "A.B.Anything.TEST:" + port},
		{name: "unmapped IP dials as usual", addr: "127.0.0.1:" + port},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			c, err := m.DialContext(ctx, "tcp", tt.addr)
			if err != nil {
				t.Fatalf("DialContext(%q) error = %v", tt.addr, err)
			}
			defer c.Close()
			if got, want := c.RemoteAddr().String(), ln.Addr().String(); got != want {
				t.Errorf("DialContext(%q) remote = %q, want %q", tt.addr, got, want)
			}
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			b, err := io.ReadAll(c)
			if err != nil {
				t.Fatalf("read from DialContext(%q) error = %v", tt.addr, err)
			}
			if want := "hello from " + ln.Addr().String(); string(b) != want {
				t.Errorf("read from DialContext(%q) = %q, want %q", tt.addr, b, want)
			}
		})
	}
}

func TestDialContextErrors(t *testing.T) {
	var m Map
	mustAdd(t, &m, "*.test", "127.0.0.1")
	tests := []struct {
		name string
		addr string
	}{
		{name: "no port", addr: "anything.test"},
		{name: "empty", addr: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := m.DialContext(t.Context(), "tcp", tt.addr)
			if err == nil {
				c.Close()
				t.Fatalf("DialContext(%q) error = nil, want an error", tt.addr)
			}
			if !strings.Contains(err.Error(), "hostmap: dial") {
				t.Errorf("DialContext(%q) error = %v, want it to name hostmap: dial", tt.addr, err)
			}
		})
	}
}

func TestDialContextCancelled(t *testing.T) {
	var m Map
	mustAdd(t, &m, "*.test", "127.0.0.1")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	c, err := m.DialContext(ctx, "tcp", "anything.test:1")
	if err == nil {
		c.Close()
		t.Fatal("DialContext(cancelled ctx) error = nil, want an error")
	}
}

func mustAdd(t *testing.T, m *Map, pattern, addr string) {
	t.Helper()
	if err := m.Add(pattern, addr); err != nil {
		t.Fatalf("Add(%q, %q) error = %v", pattern, addr, err)
	}
}

func TestMatchAndMerge(t *testing.T) {
	var m Map
	for p, a := range map[string]string{"app.example.test": "127.0.0.2", "*.example.test": "127.0.0.3", "*.staging.example.test": "127.0.0.4"} {
		if err := m.Add(p, a); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ host, pattern, addr string }{
		{"APP.example.test.", "app.example.test", "127.0.0.2"},
		{"api.example.test", "*.example.test", "127.0.0.3"},
		{"a.staging.example.test", "*.staging.example.test", "127.0.0.4"},
		{"example.test", "", ""},
		{"other.test", "", ""},
	}
	for _, tt := range tests {
		if p, a := m.Match(tt.host); p != tt.pattern || a != tt.addr {
			t.Errorf("Match(%q) = %q, %q, want %q, %q", tt.host, p, a, tt.pattern, tt.addr)
		}
	}

	var other Map
	_ = other.Add("app.example.test", "127.0.0.2") // the same rule: no conflict
	_ = other.Add("login.example.test", "127.0.0.5")
	if err := m.Merge(&other); err != nil {
		t.Fatalf("Merge() = %v, want nil", err)
	}
	if got := m.Lookup("login.example.test"); got != "127.0.0.5" {
		t.Errorf("after Merge: Lookup(login.example.test) = %q, want 127.0.0.5", got)
	}
	var clash Map
	_ = clash.Add("app.example.test", "127.0.0.1")
	err := m.Merge(&clash)
	if err == nil || !strings.Contains(err.Error(), "app.example.test maps to both 127.0.0.2 and 127.0.0.1") {
		t.Errorf("Merge() of a clashing rule = %v, want it named", err)
	}
	if got := m.Lookup("app.example.test"); got != "127.0.0.2" {
		t.Errorf("after a clashing Merge: Lookup(app.example.test) = %q, want the rule kept, 127.0.0.2", got)
	}
}
