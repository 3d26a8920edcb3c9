package browser

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserEnv: only the admitted names pass, values set by Launch
// replace inherited ones, and nothing else gets through.
func TestBrowserEnv(t *testing.T) {
	for _, tc := range []struct {
		name    string
		environ []string
		set     []string
		want    []string
	}{
		{
			name:    "secrets and everything unlisted stay out",
			environ: []string{"AUTH_SECRET_KEY=k", "SUPABASE_JWT_SECRET=j", "SUPABASE_TEST_PASSWORD=p", "HTTPS_PROXY=http://u:pw@proxy", "GOFLAGS=-x", "PATHX=1", "LC_=x", "XDG_=y"},
			want:    nil,
		},
		{
			name:    "path, home, locale, fonts, desktop folders and the sandbox helper pass",
			environ: []string{"PATH=/usr/bin", "HOME=/home/op", "LANG=C.UTF-8", "LANGUAGE=en", "LC_ALL=C", "FONTCONFIG_PATH=/etc/fonts", "XDG_RUNTIME_DIR=/run/user/1", "CHROME_DEVEL_SANDBOX=/usr/lib/chromium/chrome-sandbox"},
			want:    []string{"PATH=/usr/bin", "HOME=/home/op", "LANG=C.UTF-8", "LANGUAGE=en", "LC_ALL=C", "FONTCONFIG_PATH=/etc/fonts", "XDG_RUNTIME_DIR=/run/user/1", "CHROME_DEVEL_SANDBOX=/usr/lib/chromium/chrome-sandbox"},
		},
		{
			name:    "set values replace inherited ones",
			environ: []string{"HOME=/home/op", "TMPDIR=/tmp", "PATH=/bin"},
			set:     []string{"TMPDIR=/run/x/t", "HOME=/run/x/home"},
			want:    []string{"PATH=/bin", "TMPDIR=/run/x/t", "HOME=/run/x/home"},
		},
		{
			name:    "malformed lines are dropped",
			environ: []string{"PATH", "=x", "HOME=/h"},
			want:    []string{"HOME=/h"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := browserEnv(tc.environ, tc.set...); !slices.Equal(got, tc.want) {
				t.Errorf("browserEnv() = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestLaunchEnvironment: with secrets in mfconform's environment, no
// Chromium process (browser, zygotes, renderers, utilities) has them, or
// any variable but the admitted ones; Chromium runs sandboxed unless
// mfconform is root. TestLaunchAsNonRoot runs it as another user too.
func TestLaunchEnvironment(t *testing.T) {
	if _, err := FindChromium(); err != nil {
		t.Fatalf("this test needs a real Chromium: %v", err)
	}
	const authCanary, jwtCanary = "canary-auth-secret-5d1f9a", "canary-jwt-secret-77c2e0"
	t.Setenv("AUTH_SECRET_KEY", authCanary)
	t.Setenv("SUPABASE_JWT_SECRET", jwtCanary)
	t.Setenv(envNoSandbox, "")
	for _, share := range []bool{false, true} {
		t.Run("share="+strconv.FormatBool(share), func(t *testing.T) {
			dir, err := os.MkdirTemp("/tmp", "mfe")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(dir)
			o := Options{Dir: filepath.Join(dir, "c"), StartTimeout: 30 * time.Second}
			if share {
				o.ShareSocket = filepath.Join(dir, "cdp")
			}
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			b, err := Launch(ctx, o)
			if err != nil {
				t.Fatalf("Launch() as uid %d = %v", os.Geteuid(), err)
			}
			defer b.Close()
			s, err := b.NewSession(ctx, SessionOptions{})
			if err != nil {
				t.Fatalf("NewSession() = %v", err)
			}
			defer s.Close()
			// A renderer runs the page: its environment counts most.
			if v, err := Evaluate[int](ctx, s, "6*7"); err != nil || v != 42 {
				t.Fatalf("Evaluate() = %d, %v", v, err)
			}
			browserPid := pidOf(b)
			procs := chromiumProcesses(t, browserPid)
			if len(procs) < 3 {
				t.Fatalf("found %d Chromium processes, want the browser, a zygote and a renderer at least", len(procs))
			}
			renderers := 0
			for pid, cmdline := range procs {
				if strings.Contains(cmdline, "--type=renderer") {
					renderers++
				}
				raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
				if err != nil {
					t.Fatalf("read the environment of %d: %v", pid, err)
				}
				// Chromium's other processes inherit the browser's
				// environment and then write their title over the memory
				// /proc shows as their environment, so only the browser's
				// is read name by name; every process is searched for the
				// secrets.
				for _, canary := range []string{"AUTH_SECRET_KEY", "SUPABASE_JWT_SECRET", authCanary, jwtCanary} {
					if bytes.Contains(raw, []byte(canary)) {
						t.Errorf("Chromium process %d (%.60s) environment holds %s", pid, cmdline, canary)
					}
				}
				if pid != browserPid {
					continue
				}
				for kv := range bytes.SplitSeq(raw, []byte{0}) {
					name, _, _ := strings.Cut(string(kv), "=")
					if name != "" && name != "TMPDIR" && !browserEnvAllowed(name) {
						t.Errorf("the browser process has %s in its environment", name)
					}
				}
				args := strings.Split(cmdline, "\x00")
				if got, want := slices.Contains(args, "--no-sandbox"), os.Geteuid() == 0; got != want {
					t.Errorf("as uid %d the browser has --no-sandbox = %v, want %v", os.Geteuid(), got, want)
				}
				if !slices.Contains(args, "--remote-debugging-pipe") || strings.Contains(cmdline, "--remote-debugging-port") {
					t.Errorf("the browser's command line %q, want DevTools on the pipe and no port", cmdline)
				}
			}
			if renderers == 0 {
				t.Error("found no renderer process; the check proves less than it should")
			}
			if os.Geteuid() != 0 {
				// Sandboxed, the renderers live in user namespaces of their
				// own (Chromium's namespace sandbox).
				own, err := os.Readlink("/proc/" + strconv.Itoa(browserPid) + "/ns/user")
				if err != nil {
					t.Fatal(err)
				}
				for pid, cmdline := range procs {
					ns, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/ns/user")
					if strings.Contains(cmdline, "--type=renderer") && (err != nil || ns == own) {
						t.Errorf("renderer %d shares the browser's user namespace (%s, %v): not sandboxed", pid, ns, err)
					}
				}
			}
		})
	}
}

// TestLaunchWithoutUsableSandbox: as a user other than root, a Chromium
// that cannot set up its sandbox makes Launch fail quickly with ErrSandbox
// and advice, with and without sharing; MFCONFORM_CHROMIUM_NO_SANDBOX=1
// then starts it. Runs as non-root only (TestLaunchAsNonRoot).
func TestLaunchWithoutUsableSandbox(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("as root Chromium runs without its sandbox; TestLaunchAsNonRoot runs this as another user")
	}
	real, err := FindChromium()
	if err != nil {
		t.Fatalf("this test needs a real Chromium: %v", err)
	}
	dir, err := os.MkdirTemp("/tmp", "mfx")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	// Without its namespace sandbox and with no setuid helper installed,
	// Chromium has no usable sandbox, as on a machine without user
	// namespaces.
	wrapper := filepath.Join(dir, "chromium")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\nexec "+real+" --disable-namespace-sandbox \"$@\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	for i, share := range []bool{false, true} {
		// A start timeout far beyond any machine's launch time: Launch must
		// fail on Chromium's own sandbox error (ErrSandbox below), never by
		// waiting the timeout out — that proves it quick without timing it.
		o := Options{ExecPath: wrapper, Dir: filepath.Join(dir, "c"+strconv.Itoa(i)), StartTimeout: 10 * time.Minute}
		if share {
			o.ShareSocket = filepath.Join(dir, "cdp")
		}
		t.Setenv(envNoSandbox, "")
		start := time.Now()
		b, err := Launch(t.Context(), o)
		if err == nil {
			b.Close()
			t.Fatalf("share=%v: Launch() without a usable sandbox succeeded; the test does not simulate what it should", share)
		}
		if !errors.Is(err, ErrSandbox) || !strings.Contains(err.Error(), envNoSandbox) || !strings.Contains(err.Error(), "No usable sandbox") {
			t.Errorf("share=%v: Launch() = %v, want ErrSandbox with Chromium's reason and the advice", share, err)
		}
		t.Logf("share=%v: Launch() failed after %s: %v", share, time.Since(start).Round(time.Millisecond), err)
		t.Setenv(envNoSandbox, "1")
		b, err = Launch(t.Context(), o)
		if err != nil {
			t.Fatalf("share=%v: Launch() with %s=1 = %v", share, envNoSandbox, err)
		}
		if err := b.Close(); err != nil {
			t.Errorf("share=%v: Close() = %v", share, err)
		}
	}
}

// TestLaunchAsNonRoot runs the tests that need a user other than root as
// uid 65534 (nobody): Chromium's sandbox must work there with the
// environment Launch gives it, and its failure must be reported.
func TestLaunchAsNonRoot(t *testing.T) {
	out, err := asNobody(t, "^(TestLaunchEnvironment|TestLaunchWithoutUsableSandbox)$")
	t.Logf("as uid 65534:\n%s", out)
	if err != nil {
		t.Fatalf("the tests as uid 65534 failed: %v\n%s", err, out)
	}
	for _, name := range []string{"TestLaunchEnvironment", "TestLaunchWithoutUsableSandbox"} {
		if !strings.Contains(out, "--- PASS: "+name) {
			t.Errorf("%s did not pass as uid 65534:\n%s", name, out)
		}
	}
}

// TestRelayRefusesOtherUsers: another user cannot reach the socket through
// its folder and mode; with both opened up on purpose, the relay still
// disconnects that user on its credentials before answering.
func TestRelayRefusesOtherUsers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to act as another user")
	}
	r, _, sock := newFakeRelay(t, defaultRelayLimits)
	out, err := asNobody(t, "^TestRelayPeerHelper$", "MFCONFORM_TEST_PEER_SOCKET="+sock)
	t.Logf("as uid 65534, socket in its 0700 folder:\n%s", out)
	if err != nil || !strings.Contains(out, "PEER: dial: ") || !strings.Contains(out, "permission denied") {
		t.Errorf("another user dialling the socket in its 0700 folder: %v\n%s\nwant permission denied", err, out)
	}
	if err := errors.Join(os.Chmod(filepath.Dir(sock), 0o755), os.Chmod(sock, 0o666)); err != nil {
		t.Fatal(err)
	}
	out, err = asNobody(t, "^TestRelayPeerHelper$", "MFCONFORM_TEST_PEER_SOCKET="+sock)
	t.Logf("as uid 65534, folder and socket opened up:\n%s", out)
	if err != nil || !strings.Contains(out, "PEER: closed") {
		t.Errorf("another user on an opened-up socket: %v\n%s\nwant the connection closed unanswered", err, out)
	}
	if st, _, _, _ := r.snapshot(); st.RefusedPeers != 1 {
		t.Errorf("relay refused %d peers, want 1", st.RefusedPeers)
	}
}

// TestRelayPeerHelper is the other user of TestRelayRefusesOtherUsers: it
// dials the socket, asks for the browser's version and says what happened.
func TestRelayPeerHelper(t *testing.T) {
	sock := os.Getenv("MFCONFORM_TEST_PEER_SOCKET")
	if sock == "" {
		t.Skip("run by TestRelayRefusesOtherUsers")
	}
	conn, err := net.DialTimeout("unix", sock, 5*time.Second)
	if err != nil {
		t.Logf("PEER: dial: %v", err)
		return
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte(`{"id":1,"method":"Browser.getVersion"}` + "\x00")); err != nil {
		t.Logf("PEER: closed (write: %v)", err)
		return
	}
	b, err := io.ReadAll(conn)
	switch {
	case len(b) > 0:
		t.Logf("PEER: answered %q", b)
	case err == nil || errors.Is(err, syscall.ECONNRESET):
		t.Logf("PEER: closed")
	default:
		t.Logf("PEER: read: %v", err)
	}
}

// asNobody runs this test binary again as uid and gid 65534 with the
// tests that match run and extra environment variables, from a copy
// anyone may execute. It skips when this process cannot switch users.
func asNobody(t *testing.T, run string, env ...string) (string, error) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run tests as another user")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("/tmp", "mfn")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	home := filepath.Join(dir, "home")
	bin := filepath.Join(dir, "browser.test")
	if err := errors.Join(os.Chmod(dir, 0o755), os.Mkdir(home, 0o700), os.Chown(home, 65534, 65534), copyFile(self, bin)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run", run, "-test.v", "-test.count=1")
	cmd.Dir = home
	cmd.Env = append([]string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + home, "TMPDIR=/tmp", "MFCONFORM_CHROMIUM=" + os.Getenv("MFCONFORM_CHROMIUM")}, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// copyFile copies an executable to a new file anyone may run.
func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// chromiumProcesses maps the browser process and every process below it
// (zygotes, renderers, utilities) to its command line as /proc shows it.
func chromiumProcesses(t *testing.T, browser int) map[int]string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	parent := map[int]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) > 1 {
			parent[pid], _ = strconv.Atoi(f[1])
		}
	}
	out := map[int]string{}
	for pid := range parent {
		for p := pid; p > 1; p = parent[p] {
			if p == browser {
				raw, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
				out[pid] = strings.TrimRight(string(raw), "\x00")
				break
			}
		}
	}
	return out
}

// pidOf returns the browser process's pid.
func pidOf(b *Browser) int {
	c := chromedp.FromContext(b.browserCtx)
	if c == nil || c.Browser == nil || c.Browser.Process() == nil {
		return 0
	}
	return c.Browser.Process().Pid
}
