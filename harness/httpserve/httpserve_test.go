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
