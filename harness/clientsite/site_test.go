package clientsite_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/harness/pki"
)

// Host names of the tests: the app (the client site), a Supabase that allows
// cross-origin requests, and one that does not.
const (
	appHost    = "app.acme.test"
	apiHost    = "api.acme.test"
	noCORSHost = "nocors.acme.test"
)

// startSite starts the client site for appHost with the checkout's bundle;
// the certificate (the shared browser's: browsertest) and the host map also
// cover the other test hosts.
func startSite(t *testing.T) (*clientsite.Site, *pki.Authority, *hostmap.Map) {
	t.Helper()
	bundle, err := clientsite.FindBundle()
	if err != nil {
		t.Fatalf("FindBundle() error = %v", err)
	}
	ca := shared.CA(t)
	site, err := clientsite.Start(appHost, bundle, ca)
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	t.Cleanup(func() {
		if err := site.Close(); err != nil {
			t.Errorf("Close() error = %v", err)
		}
	})
	hosts := &hostmap.Map{}
	for _, h := range []string{appHost, apiHost, noCORSHost} {
		if err := hosts.Add(h, "127.0.0.1"); err != nil {
			t.Fatalf("Add() error = %v", err)
		}
	}
	return site, ca, hosts
}

func TestSiteRoutes(t *testing.T) {
	site, ca, hosts := startSite(t)
	client := &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{
			DialContext:     hosts.DialContext,
			TLSClientConfig: &tls.Config{RootCAs: ca.Pool},
		},
	}
	u, err := url.Parse(site.URL)
	if err != nil {
		t.Fatalf("url.Parse(%q) error = %v", site.URL, err)
	}
	if u.Scheme != "https" || u.Hostname() != appHost || u.Port() == "" {
		t.Fatalf("Site.URL = %q, want https://%s:<port>", site.URL, appHost)
	}
	tests := []struct {
		name, method, path, host string
		wantStatus               int
		wantType, wantBody       string
	}{
		{name: "page", method: "GET", path: clientsite.PagePath, wantStatus: 200, wantType: "text/html",
			wantBody: `<script src="/mfconform/supabase.js"></script>`},
		{name: "bundle", method: "GET", path: "/mfconform/supabase.js", wantStatus: 200, wantType: "application/javascript",
			wantBody: "supabase"},
		{name: "driver", method: "GET", path: "/mfconform/driver.js", wantStatus: 200, wantType: "application/javascript",
			wantBody: "window.mfSupabaseRun"},
		{name: "other path", method: "GET", path: "/", wantStatus: 404},
		{name: "post to the page", method: "POST", path: clientsite.PagePath, wantStatus: 404},
		{name: "other host", method: "GET", path: clientsite.PagePath, host: "evil.acme.test", wantStatus: 421},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, site.URL+tt.path, nil)
			if err != nil {
				t.Fatalf("NewRequest() error = %v", err)
			}
			if tt.host != "" {
				req.Host = tt.host
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s %s error = %v", tt.method, tt.path, err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("%s %s status = %d, want %d", tt.method, tt.path, resp.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus != 200 {
				return
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("Content-Type = %q, want %s", ct, tt.wantType)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
			if !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("body does not contain %q", tt.wantBody)
			}
		})
	}
}
