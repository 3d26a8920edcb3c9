package httpserve

import (
	"io"
	"net/http"
	"strconv"
	"testing"
)

func TestServer(t *testing.T) {
	ln, port, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	s := Start(ln, "app.example.test", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "hello")
	}), nil)
	base := "http://127.0.0.1:" + strconv.Itoa(port) + "/"
	tests := []struct {
		name, host string
		want       int
	}{
		{"its host", "app.example.test", http.StatusOK},
		{"its host with port and dot, other case", "APP.example.test.:" + strconv.Itoa(port), http.StatusOK},
		{"another host", "other.example.test", http.StatusMisdirectedRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, base, nil)
			req.Host = tt.host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("GET with Host %q = %d, want %d", tt.host, resp.StatusCode, tt.want)
			}
		})
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close() = %v, want the first result (nil)", err)
	}
	if _, err := http.Get(base); err == nil {
		t.Error("the port still answers after Close")
	}
}

func TestListenOn(t *testing.T) {
	tests := []struct {
		addr, wantHost string
		wantErr        bool
	}{
		{"", "127.0.0.1", false},
		{"127.0.0.2", "127.0.0.2", false},
		{"127.0.0.2:0", "127.0.0.2", false},
		{"10.0.0.1", "", true},
		{"0.0.0.0", "", true},
		{"localhost", "", true},
	}
	for _, tt := range tests {
		ln, port, err := ListenOn(tt.addr)
		if tt.wantErr {
			if err == nil {
				_ = ln.Close()
				t.Errorf("ListenOn(%q) = nil error, want one (only loopback addresses)", tt.addr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ListenOn(%q) = %v", tt.addr, err)
			continue
		}
		if got := ln.Addr().String(); got != tt.wantHost+":"+strconv.Itoa(port) || port == 0 {
			t.Errorf("ListenOn(%q) bound %s (port %d), want %s on a free port", tt.addr, got, port, tt.wantHost)
		}
		_ = ln.Close()
	}
}
