package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/mfconform/mfconform/harness/egress"
	"github.com/mfconform/mfconform/harness/hostile"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/result"
)

// Hostile runs: short step timeouts keep each run brief. A run is bound
// by the browser's start, the evidence bundles (gathered concurrently),
// then one more probe step; the test allows three times the sum of the
// configured timeouts: longer is a hang.
const (
	hostileLogin   = "login.hostile.test"
	hostileApp     = "app.hostile.test"
	hostileTimeout = "timeouts:\n  browser_start: 20s\n  navigation: 3s\n  evidence: 15s\n  probe: 3s\n  script: 3s\n"
	hostileBound   = 3 * (20 + 15 + 3 + 3 + 3) * time.Second
	// maxRSS bounds mfconform's own peak resident memory against any
	// target: a run takes 25-70 MiB (measured; each case logs it).
	maxRSS = 256 << 20
	// maxTreeRSS bounds the rusage peak, which also counts the largest
	// process mfconform waited for: Chromium's browser process, about
	// 220-270 MiB.
	maxTreeRSS = 1 << 30
	// maxReportFile bounds each report file (report.html carries the
	// screenshots; 80-250 KiB measured).
	maxReportFile = 2 << 20
)

// TestHostileTarget runs mfconform against a target that answers every
// request of the login and the app host in a hostile way. Whatever the
// target sends, the run must end within a bound derived from the
// configured timeouts, with exit 1 (the target fails specs) or 3 (it could
// not be observed) and a message that says why, within bounded memory,
// with every report well-formed (HTML with the target's markup escaped,
// JUnit that parses, JSON that parses, Markdown and console without raw
// control characters), and with nothing left behind.
func TestHostileTarget(t *testing.T) {
	ca, err := pki.New([]string{hostileLogin, hostileApp})
	if err != nil {
		t.Fatal(err)
	}
	caFile := writeFile(t, "ca.pem", string(ca.CertPEM))
	config := writeFile(t, "hostile.yaml", hostileTimeout)
	tests := []hostileCase{
		{hostile.Control, exitFailed, []string{"APP_ACCEPTS_EXPIRED", `\u001b`}, map[result.SpecID]result.State{result.JWTCookie001: result.StatePassed},
			"the login works and the app answers 200 to every token: the target fails specs (1), and its control characters are shown escaped"},
		{hostile.Markup, exitFailed, []string{"APP_ACCEPTS_EXPIRED", "<script>"}, map[result.SpecID]result.State{result.JWTCookie001: result.StatePassed},
			"as control; the page's alert() is dismissed, so the login completes: the target fails specs (1)"},
		{hostile.Commands, exitFailed, []string{"APP_ACCEPTS_EXPIRED", `\n::error title=`}, map[result.SpecID]result.State{result.JWTCookie001: result.StatePassed},
			"as control, with CI workflow commands after newlines: they are shown with the newline escaped, never at the start of a line (1)"},
		{hostile.HugeBody, exitToolError, []string{"LOGIN_UNREACHABLE", "no complete answer within the navigation timeout (3s)"}, nil,
			"the login page never finishes loading within the navigation timeout: the target could not be observed (3)"},
		{hostile.RedirectLoop, exitToolError, []string{"LOGIN_UNREACHABLE", "ERR_TOO_MANY_REDIRECTS"}, nil,
			"Chromium gives up after 20 redirects: the login could not be observed (3)"},
		{hostile.Drip, exitToolError, []string{"no complete answer within the navigation timeout (3s)", "APP_UNREACHABLE"}, nil,
			"neither host completes an answer within its timeout (3)"},
		{hostile.HugeSetCookie, exitToolError, []string{"ERR_RESPONSE_HEADERS_TOO_BIG|no complete answer within the navigation timeout (3s)", "APP_UNREACHABLE"}, nil,
			"Chromium and the Go client both refuse headers that large: nothing could be observed (3)"},
		{hostile.HugeJWT, exitToolError, []string{"LOGIN_UNREACHABLE", "ERR_RESPONSE_HEADERS_TOO_BIG|no complete answer within the navigation timeout (3s)"}, nil,
			"a token with a 10 MB payload cannot travel in a header (or not within the timeout): the login could not be observed (3)"},
		{hostile.LargeJWT, exitFailed, []string{"COOKIE_TOO_LARGE", "NameValuePairExceedsMaxSize"}, map[result.SpecID]result.State{result.JWTCookie009: result.StateFailed},
			"the browser takes the response but refuses the cookie: the target fails specs (1); the 150 KB payload is shown cut"},
		{hostile.Tamper, exitFailed, []string{"APP_ACCEPTS_EXPIRED"}, map[result.SpecID]result.State{result.JWTCookie002: result.StatePassed, result.JWTCookie005: result.StatePassed},
			"the page's replaced built-ins do not reach mfconform's reads (an isolated world): the cookie specs judge normally and the app fails specs (1)"},
		{hostile.Storm, exitFailed, []string{"APP_ACCEPTS_EXPIRED"}, nil,
			"the request storm only slows the login down: the app fails specs (1)"},
		{hostile.ServiceWorker, exitFailed, []string{"APP_ACCEPTS_EXPIRED"},
			map[result.SpecID]result.State{result.JWTCookie002: result.StatePassed, result.JWTCookie006: result.StatePassed, result.JWTCookie010: result.StatePassed},
			"the app's service worker would answer the app's pages itself (no network exchange, no cookie verdict: the link to the app never completed); mfconform's sessions bypass it, so the cookie specs judge normally and the app fails specs (1)"},
	}
	// orCode is a second right exit code where the machine's load decides:
	// a request storm can also hold mfconform's own embedding page past
	// the 3 s navigation timeout, which is then an environment error (3).
	orCode := map[hostile.Mode]int{hostile.Storm: exitToolError}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			srv, err := hostile.Start(tt.mode, ca, hostile.Options{LoginHost: hostileLogin, AppHost: hostileApp, Secret: []byte(knownSecret)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = srv.Close() })
			res, took, use := runBounded(t, hostileBound, []string{"AUTH_SECRET_KEY=" + knownSecret}, "run", "--config", config,
				"--login-url", srv.LoginURL, "--app-url", srv.AppURL,
				"--resolve", "*.hostile.test=127.0.0.1", "--ca-file", caFile)
			tt.check(t, orCode[tt.mode], res, took, use)
		})
	}
	t.Run(string(hostile.LocalPorts), func(t *testing.T) { hostileLocalPorts(t, ca, caFile, config) })
}

// hostileLocalPorts runs against a target whose login and app pages make
// the browser ask for other ports and addresses of this machine — another
// loopback address, another port of the deployment's own address by IP
// and by one of its names, IPv6 loopback — in every way a page can
// (preconnect, image, iframe, fetch, WebSocket, beacon). Canary listeners
// there must see no connection at all: mfconform's egress guard refuses
// each before any socket is opened, the report lists them, and the run is
// otherwise judged as for any conformant login (1: the app accepts
// expired tokens). Only loopback is used: a metadata address is the egress
// guard's own test (harness/egress TestGuard, from its record).
func hostileLocalPorts(t *testing.T, ca *pki.Authority, caFile, config string) {
	type canary struct {
		ln    net.Listener
		conns atomic.Int64
	}
	var canaries []*canary
	listen := func(addr string) *canary {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil
		}
		c := &canary{ln: ln}
		t.Cleanup(func() { _ = ln.Close() })
		go func() {
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				c.conns.Add(1)
				_ = conn.Close()
			}
		}()
		canaries = append(canaries, c)
		return c
	}
	portOf := func(c *canary) string { return strconv.Itoa(c.ln.Addr().(*net.TCPAddr).Port) }
	other := listen("127.0.0.2:0")
	same := listen("127.0.0.1:0")
	if other == nil || same == nil {
		t.Fatal("cannot listen on 127.0.0.2 and 127.0.0.1")
	}
	elsewhere := []string{
		"http://127.0.0.2:" + portOf(other) + "/probe",
		"https://127.0.0.2:" + portOf(other) + "/probe",
		"http://127.0.0.1:" + portOf(same) + "/probe",
		"https://" + hostileApp + ":" + portOf(same) + "/probe",
		"http://canary.hostile.test:" + portOf(same) + "/probe",
	}
	if v6 := listen("[::1]:0"); v6 != nil {
		elsewhere = append(elsewhere, "http://[::1]:"+portOf(v6)+"/probe")
	} else {
		t.Log("no IPv6 loopback here: the [::1] canary is left out")
	}
	srv, err := hostile.Start(hostile.LocalPorts, ca, hostile.Options{LoginHost: hostileLogin, AppHost: hostileApp, Secret: []byte(knownSecret), Elsewhere: elsewhere})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	res, took, use := runBounded(t, hostileBound, []string{"AUTH_SECRET_KEY=" + knownSecret}, "run", "--config", config,
		"--login-url", srv.LoginURL, "--app-url", srv.AppURL,
		"--resolve", "*.hostile.test=127.0.0.1", "--ca-file", caFile)
	tt := hostileCase{hostile.LocalPorts, exitFailed, []string{"APP_ACCEPTS_EXPIRED", "refused: mfconform let the browser reach only the deployment"},
		map[result.SpecID]result.State{result.JWTCookie001: result.StatePassed, result.JWTCookie002: result.StatePassed},
		"the pages' requests to other local ports are refused by mfconform's egress guard and listed; the login works and the app fails specs (1)"}
	tt.check(t, 0, res, took, use)
	for i, c := range canaries {
		if n := c.conns.Load(); n != 0 {
			t.Errorf("canary %d (%s) received %d connections: the browser reached a port that is not the deployment's", i, c.ln.Addr(), n)
		}
	}
	if res.report == nil {
		return
	}
	refused := map[string]bool{}
	for _, r := range res.report.Refused {
		refused[net.JoinHostPort(r.Host, strconv.Itoa(r.Port))] = true
	}
	for _, u := range elsewhere {
		if ep := egress.Endpoint(u); !refused[ep] {
			t.Errorf("report.json does not list %s among the refused connections (it lists %v)", ep, res.report.Refused)
		}
	}
}

// hostileCase is one mode of a hostile target and what a run against it
// must end in.
type hostileCase struct {
	mode     hostile.Mode
	wantCode int
	// want are in stdout or stderr: the reason, in an operator's words;
	// "a|b" takes either (which one depends on how loaded the machine is:
	// a 10 MB header may still be arriving when the timeout ends).
	want []string
	// states are specs whose state the case pins.
	states map[result.SpecID]result.State
	// why the exit code is what it is.
	why string
}

// check holds a finished hostile run to the case and to what every hostile
// run must hold: the exit code (or orCode, a second right one where the
// machine's load decides; 0 for none), the reasons, the pinned states, no
// panic, mfconform's memory bounded, reports well-formed and clean.
func (tt hostileCase) check(t *testing.T, orCode int, res runResult, took time.Duration, use resources) {
	t.Helper()
	t.Logf("%s: exit %d in %s (bound %s), peak RSS %s (mfconform alone: %s)",
		tt.mode, res.code, took.Round(time.Millisecond), hostileBound, mib(use.maxRSS), mib(use.ownPeak))
	t.Logf("%s: %s", tt.mode, headline(res.stdout+res.stderr))
	if res.code != tt.wantCode && (orCode == 0 || res.code != orCode) {
		t.Errorf("exit = %d, want %d: %s\nstdout:\n%s\nstderr:\n%s", res.code, tt.wantCode, tt.why, res.stdout, res.stderr)
	}
	for _, w := range tt.want {
		if !containsOneOf(res.stdout+res.stderr, strings.Split(w, "|")) {
			t.Errorf("output lacks %q (%s):\n%s%s", w, tt.why, res.stdout, res.stderr)
		}
	}
	if res.report != nil {
		for _, sp := range res.report.Specs {
			if want, ok := tt.states[sp.ID]; ok && sp.State != want {
				t.Errorf("%s = %s (%s %v), want %s: %s", sp.ID, sp.State, sp.Reason, sp.Codes(), want, tt.why)
			}
		}
	}
	if strings.Contains(res.stderr, "panic") || strings.Contains(res.stderr, "goroutine ") {
		t.Errorf("stderr shows a panic:\n%s", res.stderr)
	}
	if use.ownPeak > maxRSS {
		t.Errorf("mfconform's peak RSS = %s, want at most %s", mib(use.ownPeak), mib(maxRSS))
	}
	if use.maxRSS > maxTreeRSS {
		t.Errorf("peak RSS of mfconform and the processes it waited for = %s, want at most %s", mib(use.maxRSS), mib(maxTreeRSS))
	}
	assertWellFormed(t, res)
	assertNoCICommands(t, res)
	assertClean(t, res)
	assertAnnotations(t, res)
}

// assertAnnotations renders the hostile run's GitHub annotations as the
// Action does (report --format github) and fails unless every line is one
// ::error or ::warning — one per root cause, plus one for a setup failure
// and one for an incomplete run — whose title is mfconform's and whose
// message holds no raw control character: whatever the target sent, it
// cannot add a command or end one early.
func assertAnnotations(t *testing.T, res runResult) {
	t.Helper()
	if res.report == nil {
		return
	}
	cmd := exec.Command(binary, "report", "--from", res.reportDir, "--format", "github")
	out, err := cmd.Output()
	if err != nil {
		t.Errorf("report --format github: %v", err)
		return
	}
	causes, _ := res.report.Causes()
	want := len(causes)
	if res.report.SetupError != "" {
		want++
	}
	if res.report.Verdict == result.VerdictIncomplete {
		want++
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(out) == 0 {
		lines = nil
	}
	if len(lines) != want {
		t.Errorf("report --format github printed %d lines, want %d (one per root cause):\n%s", len(lines), want, out)
	}
	for _, l := range lines {
		head, _, ok := strings.Cut(strings.TrimPrefix(l, "::"), "::")
		name, props, _ := strings.Cut(head, " ")
		if !strings.HasPrefix(l, "::") || !ok || (name != "error" && name != "warning") || !strings.HasPrefix(props, "title=") || strings.Contains(props, ",") {
			t.Errorf("annotation %.120q is not one ::error or ::warning with a title", l)
		}
		if i, r := firstControl(l); i >= 0 {
			t.Errorf("annotation holds a raw control character %U: %.120q", r, l)
		}
	}
	sarif, err := os.ReadFile(filepath.Join(res.reportDir, reports.SARIFFile))
	if err != nil || !json.Valid(sarif) {
		t.Errorf("report.sarif: %v, valid JSON %v", err, json.Valid(sarif))
	}
}

// assertNoCICommands fails when a line of the console or of any report
// file would be obeyed as a CI workflow command: a line that, with its
// leading whitespace trimmed as GitHub's runner trims it, starts with
// "::" (GitHub Actions), "##[" (its legacy form) or "##vso[" (Azure
// Pipelines). Lines end at \n or \r, as a runner reads them, and at the
// Unicode line and paragraph separators a reader might honour.
func assertNoCICommands(t *testing.T, res runResult) {
	t.Helper()
	texts := map[string]string{"stdout": res.stdout, "stderr": res.stderr}
	_ = filepath.WalkDir(res.reportDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			texts[strings.TrimPrefix(p, res.reportDir+"/")] = string(b)
		}
		return nil
	})
	for name, text := range texts {
		if line, ok := ciCommandLine(text); ok {
			t.Errorf("%s has a line a CI runner obeys as a workflow command: %.120q", name, line)
		}
	}
}

// ciCommandLine returns the first line of text that starts a CI workflow
// command.
func ciCommandLine(text string) (string, bool) {
	lines := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' })
	for _, l := range lines {
		l = strings.TrimLeft(l, " \t\v\f\u00a0\ufeff")
		if strings.HasPrefix(l, "::") || strings.HasPrefix(l, "##[") || strings.HasPrefix(l, "##vso[") {
			return l, true
		}
	}
	return "", false
}

// TestHostileSupabase runs Supabase mode against a project that answers
// every Auth and data-API request in a hostile way — supabase-js in the
// browser and mfconform's own probes alike — with the same demands as
// TestHostileTarget: bounded time and memory, exit 1 or 3 with the reason,
// reports well-formed and clean, the public key never shown whole.
func TestHostileSupabase(t *testing.T) {
	const project, canary = "abcdefghijklmnopqrst.hostile.test", "canary.hostile.test"
	const key, password = "sb_publishable_hostile0123456789", "hostile-password-1"
	ca, err := pki.New([]string{hostileLogin, hostileApp, project, canary})
	if err != nil {
		t.Fatal(err)
	}
	caFile := writeFile(t, "ca.pem", string(ca.CertPEM))
	config := writeFile(t, "hostile.yaml", hostileTimeout)
	tests := []hostileCase{
		{hostile.Control, exitFailed, []string{"SUPABASE_SIGNIN_FAILED", `\u001b`}, map[result.SpecID]result.State{result.SBConfig002: result.StatePassed, result.SBBrowser001: result.StatePassed},
			"Auth names itself GoTrue, then every answer is JSON full of control characters: the project fails specs (1), shown escaped"},
		{hostile.Markup, exitFailed, []string{"SUPABASE_SIGNIN_FAILED", "<script>"}, map[result.SpecID]result.State{result.SBBrowser001: result.StatePassed},
			"as control, with markup: the console shows it as text, the reports escape it (1)"},
		{hostile.Commands, exitFailed, []string{"SUPABASE_SIGNIN_FAILED", `\n::error title=`}, map[result.SpecID]result.State{result.SBBrowser001: result.StatePassed},
			"as control, with CI workflow commands after newlines: never at the start of a line (1)"},
		{hostile.HugeBody, exitFailed, []string{"SUPABASE_NOT_AUTH"}, map[result.SpecID]result.State{result.SBBrowser002: result.StateBlocked},
			"a 1 GiB answer is read only to its bound; it is not Supabase Auth's, and that blocks everything that talks to the project (1)"},
		{hostile.RedirectLoop, exitFailed, []string{"SUPABASE_NOT_AUTH", "HTTP 302"}, nil,
			"an answer that redirects is not Supabase Auth's (1)"},
		// Which bound ends the drip depends on the machine's speed: the
		// probe's own deadline or, under load, the transport's wait for
		// the headers. Either is the right message.
		{hostile.Drip, exitToolError, []string{"SUPABASE_URL_UNREACHABLE", "context deadline exceeded|timeout awaiting response headers"}, nil,
			"no answer completes within the probe timeout: the project could not be observed (3)"},
		// Under load the reference app's sign-in may not finish storing
		// so large a session within its script timeout: then the cookie
		// specs are blocked by the failed sign-in instead, which the
		// console prints as one line for every spec it blocked.
		{hostile.LargeJWT, exitFailed, []string{"SUPABASE_COOKIE_SESSION_INVALID|the app could not sign the test user in|blocked by SB-BROWSER-002 (SUPABASE_SIGNIN_FAILED"}, nil,
			"a 150 KB access token: @supabase/ssr splits the session into many chunks, which the project then refuses (1); the token is never shown whole"},
		{hostile.HugeJWT, exitFailed, []string{"QuotaExceededError", "SUPABASE_COOKIE_CHUNK_MISSING|the app could not sign the test user in|blocked by SB-BROWSER-002 (SUPABASE_SIGNIN_FAILED"}, map[result.SpecID]result.State{result.SBBrowser002: result.StateFailed},
			"a 10 MB access token: supabase-js cannot store it and the cookie store refuses most chunks (1), in bounded memory"},
		{hostile.RedirectOut, exitFailed, []string{"SUPABASE_REDIRECTS", "HTTP 307 to https://" + canary, "another origin; not followed"},
			map[result.SpecID]result.State{result.SBConfig002: result.StatePassed, result.SBBrowser001: result.StateFailed},
			"every call but the health check is sent to another origin with a 307: neither mfconform's client nor supabase-js in Chromium follows it, so the canary there gets nothing (1)"},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			srv, err := hostile.Start(tt.mode, ca, hostile.Options{LoginHost: hostileLogin, AppHost: hostileApp, SupabaseHost: project, CanaryHost: canary})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = srv.Close() })
			env := []string{"NEXT_PUBLIC_SUPABASE_URL=" + srv.SupabaseURL, "NEXT_PUBLIC_SUPABASE_KEY=" + key,
				"SUPABASE_TEST_EMAIL=user@hostile.test", "SUPABASE_TEST_PASSWORD=" + password}
			res, took, use := runBounded(t, hostileBound, env, "run", "--config", config,
				"--app-origin", "https://"+hostileApp, "--resolve", "*.hostile.test=127.0.0.1", "--ca-file", caFile)
			tt.check(t, 0, res, took, use)
			for name, text := range map[string]string{"stdout": res.stdout, "stderr": res.stderr} {
				if strings.Contains(text, password) {
					t.Errorf("%s shows the test user's password", name)
				}
			}
			// The canary is another origin the project may send clients
			// to: whatever reaches it left mfconform by a redirect.
			for _, r := range srv.CanaryRequests() {
				var got []string
				for what, secret := range map[string]string{"the key": key, "the password": password} {
					if strings.Contains(fmt.Sprint(r.Header), secret) || strings.Contains(r.URI, secret) || strings.Contains(string(r.Body), secret) {
						got = append(got, what)
					}
				}
				t.Errorf("the canary on another origin received %s %.80s (holding %s): a client followed the project's redirect",
					r.Method, r.URI, orNothing(got))
			}
		})
	}
}

// orNothing joins what, or says "neither the key nor the password".
func orNothing(what []string) string {
	if len(what) == 0 {
		return "neither the key nor the password"
	}
	slices.Sort(what)
	return strings.Join(what, " and ")
}

// resources is what a finished child process used.
type resources struct {
	// maxRSS is the rusage peak: the process or the largest of the
	// descendants it waited for (Chromium's browser process among them).
	maxRSS int64
	// ownPeak is mfconform's own peak (VmHWM), sampled while it ran.
	ownPeak int64
}

// headline is what an operator reads first: the first finding's code and
// observation, and the verdict.
func headline(out string) string {
	var got []string
	for _, line := range strings.Split(out, "\n") {
		l := strings.TrimSpace(line)
		switch {
		case len(got) == 0 && strings.HasPrefix(l, "FAIL "):
			got = append(got, l)
		case len(got) == 1 && strings.HasPrefix(l, "observed:"):
			got = append(got, l)
		case strings.HasPrefix(l, "verdict:"), strings.HasPrefix(l, "mfconform: "):
			got = append(got, l)
		}
	}
	return strings.Join(got, " | ")
}

func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

// runBounded runs mfconform as runTarget does, but kills it and fails the
// test when it outlives bound (a hang), and measures its time and memory.
func runBounded(t *testing.T, bound time.Duration, env []string, args ...string) (runResult, time.Duration, resources) {
	t.Helper()
	res := runResult{reportDir: t.TempDir(), tmpDir: shortTempDir(t)}
	if d := os.Getenv("MFCONFORM_KEEP_REPORTS"); d != "" {
		res.reportDir = filepath.Join(d, t.Name())
	}
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, append(args, "--report-dir", res.reportDir)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + res.tmpDir}, env...)
	// Killed on a hang with its whole group, Chromium included.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	peak := make(chan int64, 1)
	stop := make(chan struct{})
	go func() { peak <- samplePeak(cmd.Process.Pid, stop) }()
	err := cmd.Wait()
	took := time.Since(start)
	close(stop)
	u := resources{ownPeak: <-peak}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		u.maxRSS = ru.Maxrss << 10 // kilobytes on Linux
	}
	res.stdout, res.stderr = stdout.String(), stderr.String()
	if ctx.Err() != nil {
		t.Fatalf("mfconform did not finish within %s (a hang); killed\nstdout:\n%s\nstderr:\n%s", bound, res.stdout, res.stderr)
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run: %v", err)
	}
	if r, err := reports.ReadJSON(filepath.Join(res.reportDir, reports.JSONFile)); err == nil {
		res.report = r
	}
	return res, took, u
}

// samplePeak reads the process's VmHWM (its peak resident set so far)
// until stop closes, and returns the last value read, in bytes.
func samplePeak(pid int, stop <-chan struct{}) int64 {
	var last int64
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					if kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64); err == nil {
						last = max(last, kb<<10)
					}
				}
			}
		}
		select {
		case <-stop:
			return last
		case <-tick.C:
		}
	}
}

// assertWellFormed checks every report file and the console: JSON that
// parses, HTML that parses with none of the target's markup alive in it,
// JUnit XML that parses strictly, and no raw control character anywhere.
func assertWellFormed(t *testing.T, res runResult) {
	t.Helper()
	if res.report == nil {
		t.Fatal("report.json missing or does not parse")
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(res.reportDir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		return b
	}
	if b := read(reports.JSONFile); !json.Valid(b) {
		t.Errorf("%s is not valid JSON", reports.JSONFile)
	}
	checkHTML(t, read(reports.HTMLFile))
	checkJUnit(t, read(reports.JUnitFile))
	texts := map[string]string{"stdout": res.stdout, "stderr": res.stderr}
	entries, _ := os.ReadDir(res.reportDir)
	for _, e := range entries {
		if !e.IsDir() {
			texts[e.Name()] = string(read(e.Name()))
		}
	}
	var sizes []string
	for _, e := range entries {
		if info, err := e.Info(); err == nil && !e.IsDir() {
			sizes = append(sizes, fmt.Sprintf("%s %d KiB", e.Name(), info.Size()>>10))
			if info.Size() > maxReportFile {
				t.Errorf("%s is %d bytes, want at most %d: what the target sent is not bounded", e.Name(), info.Size(), maxReportFile)
			}
		}
	}
	t.Logf("reports: %s", strings.Join(sizes, ", "))
	for name, text := range texts {
		if i, r := firstControl(text); i >= 0 {
			t.Errorf("%s holds a raw control character %U at byte %d: %q", name, r, i, around(text, i))
		}
	}
}

// firstControl returns the position and rune of the first character
// result.Clean would escape (C0 and C1 controls but newline and tab, DEL,
// bidirectional controls, invalid UTF-8), or -1.
func firstControl(s string) (int, rune) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || result.Clean(string(r)) != string(r) {
			return i, r
		}
		i += n
	}
	return -1, 0
}

func around(s string, i int) string {
	return s[max(0, i-40):min(len(s), i+40)]
}

// checkHTML parses the HTML report and fails on any element or attribute
// the target's markup could have planted: a script other than the
// report's own, an event handler, an img, a javascript: URL.
func checkHTML(t *testing.T, b []byte) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Errorf("report.html does not parse: %v", err)
		return
	}
	scripts := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script":
				scripts++
				if n.FirstChild != nil && strings.Contains(n.FirstChild.Data, hostile.Marker) {
					t.Errorf("report.html runs the target's script: %.80q", n.FirstChild.Data)
				}
			case "img":
				// The report's own screenshots are inline PNGs.
				for _, a := range n.Attr {
					if a.Key == "src" && !strings.HasPrefix(a.Val, "data:image/png;base64,") {
						t.Errorf("report.html has an <img src=%.60q>", a.Val)
					}
				}
			case "iframe", "object", "embed", "frame":
				t.Errorf("report.html has a <%s> element", n.Data)
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") || strings.Contains(strings.ToLower(a.Val), "javascript:") {
					t.Errorf("report.html: <%s %s=%q> from the target", n.Data, a.Key, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if scripts != 1 {
		t.Errorf("report.html has %d <script> elements, want only the report's own", scripts)
	}
}

// checkJUnit decodes junit.xml token by token (strictly: any illegal
// character or broken CDATA is an error) and as the JUnit shape.
func checkJUnit(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("junit.xml is not well-formed XML: %v", err)
			return
		}
	}
	var suites struct {
		Tests int `xml:"tests,attr"`
	}
	if err := xml.Unmarshal(b, &suites); err != nil {
		t.Errorf("junit.xml does not decode: %v", err)
	}
}

// containsOneOf reports whether s contains any of subs.
func containsOneOf(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
