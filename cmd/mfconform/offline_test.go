package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/harness/browser"
)

// TestNothingLeavesTheMachine runs the embedded job — every spec of both
// modes against the reference deployment — with Chromium recording its
// net log, and fails on anything Chromium asked of the network that
// mfconform did not serve: a host name looked up, a URL requested, a
// connection opened. mfconform serves only .test names (RFC 2606), each
// mapped to a loopback address inside Chromium (--host-resolver-rules),
// so the browser has no reason to look up any name or reach any address
// off the machine. The net log records every attempt whether or not it
// could succeed, so the test is the same with and without a network; on a
// machine without one Chromium may skip calls it makes only when online
// (the Google account service waits for a connection), which the test
// then cannot see.
func TestNothingLeavesTheMachine(t *testing.T) {
	chromium, err := browser.FindChromium()
	if err != nil {
		t.Fatalf("this test needs a real Chromium: %v", err)
	}
	dir := t.TempDir()
	netlog := filepath.Join(dir, "netlog.json")
	// A stand-in for the browser that starts the real one with its net
	// log on: what mfconform launches is otherwise unchanged.
	wrapper := filepath.Join(dir, "chromium")
	script := "#!/bin/sh\nexec " + quoteSh(chromium) + ` "$@" --log-net-log=` + quoteSh(netlog) + " --net-log-capture-mode=Default\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	res := runBinary(t, []string{"MFCONFORM_CHROMIUM=" + wrapper}, "run")
	if res.code != exitOK {
		t.Fatalf("run = exit %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, exitOK, res.stdout, res.stderr)
	}
	b, err := os.ReadFile(netlog)
	if err != nil {
		t.Fatalf("Chromium wrote no net log: %v", err)
	}
	log, err := readNetLog(b)
	if err != nil {
		t.Fatalf("read the net log: %v", err)
	}
	for _, v := range log.offMachine() {
		t.Errorf("Chromium went beyond what mfconform served: %s", v)
	}
	if n := log.servedRequests(); n == 0 {
		t.Errorf("the net log holds no request to the embedded deployment: it proves nothing")
	} else {
		t.Logf("net log: %d events, %d requests to the embedded deployment", len(log.Events), n)
	}
}

// TestRunLeavesHomeUntouched runs the embedded job with HOME pointed at an
// empty folder: Chromium's crash reports, dconf cache, downloads and NSS
// database belong to the run's own folder, so the operator's HOME is as
// empty afterwards as before.
func TestRunLeavesHomeUntouched(t *testing.T) {
	home := t.TempDir()
	res := runBinary(t, []string{"HOME=" + home, "XDG_CONFIG_HOME=", "XDG_CACHE_HOME=", "XDG_DATA_HOME=", "XDG_STATE_HOME="}, "run")
	if res.code != exitOK {
		t.Fatalf("run = exit %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, exitOK, res.stdout, res.stderr)
	}
	_ = filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != home {
			t.Errorf("the run wrote into HOME: %s", p)
		}
		return nil
	})
	assertClean(t, res)
}

// quoteSh quotes s for sh.
func quoteSh(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// netLog is Chromium's net log (--log-net-log): a table of event type and
// source type names, and the events.
type netLog struct {
	Constants struct {
		EventTypes  map[string]int `json:"logEventTypes"`
		SourceTypes map[string]int `json:"logSourceType"`
	} `json:"constants"`
	Events []netEvent `json:"events"`

	typeName, sourceName map[int]string
}

// netEvent is one event of a net log.
type netEvent struct {
	Type   int `json:"type"`
	Source struct {
		ID   int `json:"id"`
		Type int `json:"type"`
	} `json:"source"`
	Params map[string]any `json:"params"`
}

// readNetLog parses a net log; one cut short (Chromium was killed before
// it closed the list) is closed first.
func readNetLog(b []byte) (*netLog, error) {
	var l netLog
	if err := json.Unmarshal(b, &l); err != nil {
		cut := bytes.TrimRight(bytes.TrimSpace(b), ",")
		if err2 := json.Unmarshal(append(cut, "]}"...), &l); err2 != nil {
			return nil, err
		}
	}
	l.typeName, l.sourceName = map[int]string{}, map[int]string{}
	for name, n := range l.Constants.EventTypes {
		l.typeName[n] = name
	}
	for name, n := range l.Constants.SourceTypes {
		l.sourceName[n] = name
	}
	return &l, nil
}

// param returns a string parameter of e, "" when absent.
func (e netEvent) param(name string) string {
	s, _ := e.Params[name].(string)
	return s
}

// offMachine lists what the log shows Chromium looking up, requesting or
// connecting to beyond mfconform's own names and loopback addresses.
// A UDP socket that only connects sends nothing: Chromium's IPv6
// reachability check (HOST_RESOLVER_MANAGER_IPV6_REACHABILITY_CHECK) asks
// the kernel for a route to 2001:4860:4860::8888 that way. One that sends
// a datagram anywhere but loopback is listed.
func (l *netLog) offMachine() []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	udpOut := map[int]string{} // UDP source → the address it connected to
	dependsOn := map[int]int{} // source → the source that created it
	for _, e := range l.Events {
		if dep, ok := e.Params["source_dependency"].(map[string]any); ok {
			if id, ok := dep["id"].(float64); ok {
				dependsOn[e.Source.ID] = int(id)
			}
		}
	}
	for _, e := range l.Events {
		typ := l.typeName[e.Type]
		if u := e.param("url"); u != "" && !servedURL(u) {
			u, _, _ = strings.Cut(u, "?")
			add(typ + " " + u)
		}
		switch typ {
		case "HOST_RESOLVER_MANAGER_REQUEST", "HOST_RESOLVER_MANAGER_JOB", "HOST_RESOLVER_DNS_TASK":
			// Names mfconform serves reach the resolver already mapped
			// to their loopback address.
			if h := e.param("host"); h != "" && !loopbackHost(resolverHost(h)) {
				add(typ + " " + h)
			}
		case "TCP_CONNECT", "SOCKET_CONNECT", "TCP_CONNECT_JOB_CONNECTOR_CONNECT_START":
			if a := e.param("address"); a != "" && !loopbackAddress(a) {
				if strings.HasPrefix(l.sourceName[e.Source.Type], "UDP_") {
					udpOut[e.Source.ID] = a
					continue
				}
				add(typ + " " + a)
			}
		case "UDP_CONNECT":
			if a := e.param("address"); a != "" && !loopbackAddress(a) {
				udpOut[e.Source.ID] = a
			}
		}
	}
	for _, e := range l.Events {
		if l.typeName[e.Type] != "UDP_BYTES_SENT" {
			continue
		}
		for id, hops := e.Source.ID, 0; hops < 8; id, hops = dependsOn[id], hops+1 {
			if a, ok := udpOut[id]; ok {
				add("UDP_BYTES_SENT to " + a)
				break
			}
			if _, ok := dependsOn[id]; !ok {
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// servedRequests counts the requests to names mfconform served.
func (l *netLog) servedRequests() int {
	n := 0
	for _, e := range l.Events {
		if l.typeName[e.Type] == "URL_REQUEST_START_JOB" {
			if u, err := url.Parse(e.param("url")); err == nil && strings.HasSuffix(u.Hostname(), ".test") {
				n++
			}
		}
	}
	return n
}

// servedURL reports whether a URL Chromium requested stays on the machine:
// not a network URL at all (about:, data:, blob:, chrome:, an invalid one),
// or one of mfconform's .test names or a loopback address.
func servedURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https", "ws", "wss", "ftp":
		h := u.Hostname()
		return strings.HasSuffix(h, ".test") || loopbackHost(h)
	}
	return true
}

// resolverHost is the host of a resolver event's "host" parameter, which
// Chromium writes as a scheme-host-port ("https://127.0.0.1:8443") or a
// bare host.
func resolverHost(s string) string {
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		return u.Hostname()
	}
	if h, _, err := net.SplitHostPort(s); err == nil {
		return h
	}
	return s
}

func loopbackHost(h string) bool {
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return h == "localhost" || ip != nil && ip.IsLoopback()
}

func loopbackAddress(a string) bool {
	h, _, err := net.SplitHostPort(a)
	if err != nil {
		h = a
	}
	return loopbackHost(h)
}
