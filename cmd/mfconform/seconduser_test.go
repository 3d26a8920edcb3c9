package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/proxy"

	"github.com/mfconform/mfconform/harness/egress"
	"github.com/mfconform/mfconform/harness/hostmap"
)

// envSecondUser carries, to the test binary run as the second user, the
// attempts it makes (TestSecondUserHelper).
const envSecondUser = "MFCONFORM_TEST_SECOND_USER"

// attempt is one thing the second local user tries; its outcome comes
// back as a line "ATTEMPT <name>: <outcome>".
type attempt struct {
	Name string `json:"name"`
	// Kind is what it does: read (a file), list (a folder), write (a new
	// file in a folder), unix (dial a socket), socks (CONNECT through a
	// SOCKS5 proxy at Addr to Target), signin (Supabase password grant at
	// URL with Key, Email, Password), signup (the same at /signup), get
	// (an https GET of URL; prints the mf_jwt_token it sets).
	Kind   string `json:"kind"`
	Path   string `json:"path,omitempty"`
	Addr   string `json:"addr,omitempty"`
	Target string `json:"target,omitempty"`
	URL    string `json:"url,omitempty"`
	Key    string `json:"key,omitempty"`
	Email  string `json:"email,omitempty"`
	// Password is what the second user tries: one known from mfconform's
	// source, never the run's.
	Password string `json:"password,omitempty"`
	CAFile   string `json:"ca_file,omitempty"`
}

// TestSecondLocalUser: another user of the machine — a real uid made for
// the test with useradd and removed after it — gets nothing from
// serve-reference, a single run or a batch, nor from a run's egress
// guard: it cannot read serve-reference's env file, a run's or a batch's
// temporary folder (the batch CA's key, the relay socket), or change a
// report; it cannot sign the reference's test user in with a password
// from mfconform's source, and the tokens it can get (the JWT reference's
// /login, a sign-up at the reference project) do not verify with the
// operator's AUTH_SECRET_KEY or SUPABASE_JWT_SECRET; a CONNECT through the
// guard's port is closed unanswered. (The relay's own refusal of another
// user on an opened-up socket is harness/browser TestRelayRefusesOtherUsers;
// Chromium's sandbox as another user is TestLaunchAsNonRoot.)
func TestSecondLocalUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the test creates a second local user with useradd and acts as it")
	}
	if _, err := exec.LookPath("useradd"); err != nil {
		t.Skip("needs useradd (passwd package) to create the second local user")
	}
	uid, gid := newLocalUser(t)
	const opAuth, opJWT = "operators-auth-secret-key-second-user-0123456789", "operators-supabase-jwt-secret-second-user-012345"
	// A folder like /tmp (every user may create files, the sticky bit set):
	// only mfconform's own modes keep the second user out.
	shared, err := os.MkdirTemp("/tmp", "mfsu")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(shared) })
	if err := os.Chmod(shared, os.ModeSticky|0o777); err != nil {
		t.Fatal(err)
	}

	t.Run("serve-reference", func(t *testing.T) {
		envFile, caFile := filepath.Join(shared, "ref.env"), filepath.Join(shared, "ref-ca.pem")
		cmd := exec.Command(binary, "serve-reference", "--env-out", envFile, "--ca-out", caFile)
		cmd.Env = append(os.Environ(), "AUTH_SECRET_KEY="+opAuth, "SUPABASE_JWT_SECRET="+opJWT, "TMPDIR="+shared)
		banner := startUntil(t, cmd, "env file")
		vars := readEnvFile(t, envFile)
		fields := bannerFields(banner)
		sb := fields["supabase"]
		out := asUser(t, uid, gid, []attempt{
			{Name: "env file", Kind: "read", Path: envFile},
			{Name: "known password", Kind: "signin", URL: sb, Key: vars["NEXT_PUBLIC_SUPABASE_KEY"], Email: vars["SUPABASE_TEST_EMAIL"], Password: "correct-horse-battery-staple", CAFile: caFile},
			{Name: "sign-up", Kind: "signup", URL: sb, Key: vars["NEXT_PUBLIC_SUPABASE_KEY"], Email: "intruder@second.test", Password: "intruder-password-1", CAFile: caFile},
			{Name: "sign-in after sign-up", Kind: "signin", URL: sb, Key: vars["NEXT_PUBLIC_SUPABASE_KEY"], Email: "intruder@second.test", Password: "intruder-password-1", CAFile: caFile},
			{Name: "jwt login", Kind: "get", URL: fields["login URL"], CAFile: caFile},
		})
		expect(t, out, "env file", "denied")
		expect(t, out, "known password", "HTTP 400")
		// A sign-up makes an unconfirmed user (GoTrue without autoconfirm):
		// no session. Whatever token the project hands out is signed with
		// its own secret.
		for _, name := range []string{"sign-up", "sign-in after sign-up"} {
			if tok := tokenOf(out, name); tok != "" && hs256Verifies(tok, opJWT) {
				t.Errorf("a token the second user got from the reference project (%s) verifies with the operator's SUPABASE_JWT_SECRET", name)
			}
		}
		if tok := tokenOf(out, "jwt login"); tok == "" {
			t.Errorf("the reference backend gave the second user no token (%s): the check below proves nothing", outcomeOf(out, "jwt login"))
		} else if hs256Verifies(tok, opAuth) {
			t.Errorf("a token the second user got from the reference backend verifies with the operator's AUTH_SECRET_KEY")
		}
	})

	t.Run("a run", func(t *testing.T) {
		reportDir := filepath.Join(shared, "reports")
		cmd := exec.Command(hooked(t), "run", "--report-dir", reportDir)
		cmd.Env = append(os.Environ(), "AUTH_SECRET_KEY="+opAuth, "SUPABASE_JWT_SECRET="+opJWT, "TMPDIR="+shared, testHookEnv+"=20s")
		res := pausedRun(t, cmd, shared, func(runDirs []string) {
			var as []attempt
			for _, d := range runDirs {
				as = append(as, attempt{Name: "list " + filepath.Base(d), Kind: "list", Path: d},
					attempt{Name: "owner " + filepath.Base(d), Kind: "read", Path: filepath.Join(d, ".owner")})
			}
			out := asUser(t, uid, gid, as)
			for _, a := range as {
				expect(t, out, a.Name, "denied")
			}
		})
		if res.code != exitOK {
			t.Fatalf("the run = exit %d, want %d\n%s%s", res.code, exitOK, res.stdout, res.stderr)
		}
		out := asUser(t, uid, gid, []attempt{
			{Name: "replace a report", Kind: "write", Path: reportDir},
			{Name: "read report.json", Kind: "read", Path: filepath.Join(reportDir, "report.json")},
		})
		expect(t, out, "replace a report", "denied")
		// The reports are shareable on purpose (0644): what the second
		// user reads there holds no secret.
		expect(t, out, "read report.json", "read ")
		for _, s := range []string{opAuth, opJWT} {
			if b, _ := os.ReadFile(filepath.Join(reportDir, "report.json")); bytes.Contains(b, []byte(s)) {
				t.Errorf("report.json holds an operator's secret")
			}
		}
	})

	t.Run("a batch", func(t *testing.T) {
		file := writeFile(t, "targets.yaml", "targets:\n  - fixture: documented\n")
		if err := os.Chmod(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(hooked(t), "run", "--targets", file, "--report-dir", filepath.Join(shared, "batch"))
		cmd.Env = append(os.Environ(), "AUTH_SECRET_KEY="+opAuth, "TMPDIR="+shared, testHookEnv+"=20s")
		pausedRun(t, cmd, shared, func(dirs []string) {
			var as []attempt
			batches := 0
			for _, d := range dirs {
				if !strings.HasPrefix(filepath.Base(d), "mfc-b-") {
					continue
				}
				batches++
				as = append(as, attempt{Name: "list " + filepath.Base(d), Kind: "list", Path: d},
					attempt{Name: "CA key " + filepath.Base(d), Kind: "read", Path: filepath.Join(d, "g1", "ca", "ca-key.pem")},
					attempt{Name: "relay " + filepath.Base(d), Kind: "unix", Path: filepath.Join(d, "g1", "cdp")})
			}
			if batches == 0 {
				t.Fatalf("no batch folder in %v while a target's run paused", dirs)
			}
			out := asUser(t, uid, gid, as)
			for _, a := range as {
				expect(t, out, a.Name, "denied")
			}
		})
	})

	t.Run("the egress guard", func(t *testing.T) {
		echo, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = echo.Close() })
		go func() {
			for {
				c, err := echo.Accept()
				if err != nil {
					return
				}
				go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
			}
		}()
		var hm hostmap.Map
		_ = hm.Add("app.second.test", "127.0.0.1")
		target := "app.second.test:" + strconv.Itoa(echo.Addr().(*net.TCPAddr).Port)
		g, err := egress.Start(egress.Options{Map: &hm, Policy: egress.Policy{Endpoints: []string{target}}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = g.Close() })
		l, err := g.Lane("second-user")
		if err != nil {
			t.Fatal(err)
		}
		addr := strings.TrimPrefix(l.ProxyURL(), "socks5://")
		// This user's processes are admitted: the refusal below is the
		// second user's, not the guard's for everyone.
		if got := socksAttempt(addr, target); got != "answered" {
			t.Fatalf("this user's CONNECT through the guard: %s, want answered", got)
		}
		out := asUser(t, uid, gid, []attempt{{Name: "connect", Kind: "socks", Addr: addr, Target: target}})
		expect(t, out, "connect", "closed")
	})
}

// TestSecondUserHelper is the second local user of TestSecondLocalUser:
// it makes the attempts it is given and says how each ended.
func TestSecondUserHelper(t *testing.T) {
	raw := os.Getenv(envSecondUser)
	if raw == "" {
		t.Skip("run by TestSecondLocalUser as the second user")
	}
	var as []attempt
	if err := json.Unmarshal([]byte(raw), &as); err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		fmt.Printf("ATTEMPT %s: %s\n", a.Name, a.try())
	}
}

// try makes one attempt and describes its outcome.
func (a attempt) try() string {
	denied := func(err error) string {
		if errors.Is(err, os.ErrPermission) {
			return "denied"
		}
		return "error: " + err.Error()
	}
	switch a.Kind {
	case "read":
		b, err := os.ReadFile(a.Path)
		if err != nil {
			return denied(err)
		}
		return fmt.Sprintf("read %d bytes", len(b))
	case "list":
		es, err := os.ReadDir(a.Path)
		if err != nil {
			return denied(err)
		}
		return fmt.Sprintf("listed %d entries", len(es))
	case "write":
		f, err := os.CreateTemp(a.Path, "intruder-")
		if err != nil {
			return denied(err)
		}
		f.Close()
		return "wrote " + f.Name()
	case "unix":
		c, err := net.DialTimeout("unix", a.Path, 5*time.Second)
		if err != nil {
			return denied(err)
		}
		c.Close()
		return "connected"
	case "socks":
		return socksAttempt(a.Addr, a.Target)
	case "signin", "signup", "get":
		return a.https()
	}
	return "unknown attempt " + a.Kind
}

// https makes the attempt's request to the reference, trusting its CA and
// dialling its names at loopback, and returns the status and any token.
func (a attempt) https() string {
	pem, err := os.ReadFile(a.CAFile)
	if err != nil {
		return "CA file: " + err.Error()
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool},
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				_, port, _ := net.SplitHostPort(addr)
				return (&net.Dialer{}).DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
			}}}
	var req *http.Request
	if a.Kind == "get" {
		req, err = http.NewRequest(http.MethodGet, a.URL, nil)
	} else {
		path := "/auth/v1/token?grant_type=password"
		if a.Kind == "signup" {
			path = "/auth/v1/signup"
		}
		body, _ := json.Marshal(map[string]string{"email": a.Email, "password": a.Password})
		req, err = http.NewRequest(http.MethodPost, a.URL+path, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("apikey", a.Key)
			req.Header.Set("Content-Type", "application/json")
		}
	}
	if err != nil {
		return err.Error()
	}
	resp, err := c.Do(req)
	if err != nil {
		return "error: " + err.Error()
	}
	defer resp.Body.Close()
	var s struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&s)
	for _, ck := range resp.Cookies() {
		if ck.Name == "mf_jwt_token" {
			s.AccessToken = ck.Value
		}
	}
	out := fmt.Sprintf("HTTP %d", resp.StatusCode)
	if s.AccessToken != "" {
		out += " TOKEN " + s.AccessToken
	}
	return out
}

// socksAttempt asks the SOCKS5 proxy at addr to CONNECT to target and
// says whether it answered (and the tunnel echoes) or closed.
func socksAttempt(addr, target string) string {
	d, err := proxy.SOCKS5("tcp", addr, nil, &net.Dialer{Timeout: 5 * time.Second})
	if err != nil {
		return "error: " + err.Error()
	}
	c, err := d.Dial("tcp", target)
	if err != nil {
		if strings.Contains(err.Error(), "EOF") || errors.Is(err, syscall.ECONNRESET) {
			return "closed"
		}
		return "refused: " + err.Error()
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("ping")); err != nil {
		return "closed"
	}
	b := make([]byte, 4)
	if _, err := io.ReadFull(c, b); err != nil || string(b) != "ping" {
		return "closed"
	}
	return "answered"
}

// newLocalUser creates a system user for the test (no home, no login
// shell) and removes it when the test ends.
func newLocalUser(t *testing.T) (uid, gid int) {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "mfc2u" + hex.EncodeToString(b)
	if out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name).CombinedOutput(); err != nil {
		t.Skipf("useradd could not create the second local user: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("userdel", name).CombinedOutput(); err != nil {
			t.Errorf("userdel %s: %v\n%s", name, err, out)
		}
	})
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	if uid == 0 || uid == os.Getuid() {
		t.Fatalf("the second user has uid %d: not another user", uid)
	}
	return uid, gid
}

// asUser runs this test binary again as uid, gid with TestSecondUserHelper
// and the attempts, from a copy the user may run, and returns its output.
func asUser(t *testing.T, uid, gid int, as []attempt) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("/tmp", "mfsh")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "mfconform.test")
	if err := errors.Join(os.Chmod(dir, 0o755), copyExecutable(self, bin)); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(as)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run", "^TestSecondUserHelper$", "-test.count=1")
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/nonexistent", "TMPDIR=/tmp", envSecondUser + "=" + string(raw)}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	out, err := cmd.CombinedOutput()
	t.Logf("as uid %d:\n%s", uid, redactTokens(string(out)))
	if err != nil {
		t.Fatalf("the second user's helper failed: %v", err)
	}
	return string(out)
}

// redactTokens keeps the tokens the second user got out of the test log.
func redactTokens(s string) string { return signedJWT.ReplaceAllString(s, "(a token)") }

// outcomeOf is the outcome line of the named attempt.
func outcomeOf(out, name string) string {
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "ATTEMPT "+name+": "); ok {
			return v
		}
	}
	return "(not made)"
}

// expect fails unless the named attempt's outcome starts with want.
func expect(t *testing.T, out, name, want string) {
	t.Helper()
	if got := outcomeOf(out, name); !strings.HasPrefix(got, want) {
		t.Errorf("the second user's %q: %s, want %s", name, redactTokens(got), want)
	}
}

// tokenOf is the token the named attempt got, "" for none.
func tokenOf(out, name string) string {
	_, tok, _ := strings.Cut(outcomeOf(out, name), " TOKEN ")
	return tok
}

// copyExecutable copies an executable to a new file anyone may run.
func copyExecutable(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o755)
}

// startUntil starts cmd as a child of the test (childOfTest: its own
// process group, gone with the test binary), stops it when the test ends,
// and returns its stdout up to the first line containing until.
func startUntil(t *testing.T, cmd *exec.Cmd, until string) string {
	t.Helper()
	cmd.SysProcAttr = childOfTest()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	up := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		var b strings.Builder
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), until) {
				up <- b.String()
			}
		}
	}()
	select {
	case s := <-up:
		return s
	case <-time.After(60 * time.Second):
		t.Fatalf("no %q line within a minute; stderr:\n%s", until, stderr.String())
	}
	return ""
}

// pausedRun runs cmd (a hooked binary with the pause before reports set),
// calls during with mfconform's temporary folders in tmp while the run is
// paused (its marker in tmp), and returns how the run ended.
func pausedRun(t *testing.T, cmd *exec.Cmd, tmp string, during func(dirs []string)) runResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	marker := filepath.Join(tmp, "mfconform-reports-pause")
	deadline := time.After(3 * time.Minute)
	for paused := false; !paused; {
		select {
		case err := <-done:
			t.Fatalf("the run ended (%v) before it paused\n%s%s", err, stdout.String(), stderr.String())
		case <-deadline:
			t.Fatal("the run did not pause within 3 minutes")
		case <-time.After(50 * time.Millisecond):
			_, err := os.Stat(marker)
			paused = err == nil
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(tmp, "mfc-*"))
	if len(dirs) == 0 {
		t.Fatalf("no mfconform folder in %s while the run paused", tmp)
	}
	during(dirs)
	// Done with the paused run: removing the marker ends its pause.
	_ = os.Remove(marker)
	var res runResult
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			res.code = ee.ExitCode()
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("the run did not end")
	}
	res.stdout, res.stderr = stdout.String(), stderr.String()
	return res
}
