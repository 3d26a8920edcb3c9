package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/result"
)

// otherUID owns "another user's" files in these tests (root only).
const otherUID = 54321

// plantVictim writes a file another user's link would point the write at,
// and returns its path; the test checks it stays "untouched".
func plantVictim(t *testing.T) string {
	t.Helper()
	v := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(v, []byte("untouched"), 0o600); err != nil {
		t.Fatal(err)
	}
	return v
}

func assertUntouched(t *testing.T, victim string) {
	t.Helper()
	if b, err := os.ReadFile(victim); err != nil || string(b) != "untouched" {
		t.Errorf("the planted link's target was written: %q %v", b, err)
	}
}

// TestBatchRefusesPlantedFolders: a batch writes nothing through a link or
// into another user's folder — neither its index nor a target's reports —
// and refuses before it starts anything; a target's args cannot move its
// reports out of the batch's folder.
func TestBatchRefusesPlantedFolders(t *testing.T) {
	targets := writeFile(t, "targets.yaml", "targets:\n  - fixture: documented\n  - fixture: host-only\n")
	tests := []struct {
		name    string
		plant   func(t *testing.T, reportDir, victim string)
		wantErr error
	}{
		{"the batch folder is a link", func(t *testing.T, reportDir, victim string) {
			if err := os.Symlink(filepath.Dir(victim), reportDir); err != nil {
				t.Fatal(err)
			}
		}, reports.ErrSymlink},
		{"a target's folder is a link", func(t *testing.T, reportDir, victim string) {
			mkdir(t, reportDir)
			if err := os.Symlink(filepath.Dir(victim), filepath.Join(reportDir, "host-only")); err != nil {
				t.Fatal(err)
			}
		}, reports.ErrSymlink},
		{"a target's folder is another user's", func(t *testing.T, reportDir, _ string) {
			mkdir(t, reportDir)
			theirs := filepath.Join(reportDir, "documented")
			mkdir(t, theirs)
			chownOther(t, theirs)
		}, reports.ErrForeign},
		{"the batch folder is another user's", func(t *testing.T, reportDir, _ string) {
			mkdir(t, reportDir)
			chownOther(t, reportDir)
		}, reports.ErrForeign},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			victim := plantVictim(t)
			reportDir := filepath.Join(t.TempDir(), "batch")
			tt.plant(t, reportDir, victim)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			code, err := targetsCmd(ctx, []string{"--targets", targets, "--report-dir", reportDir}, io.Discard)
			if code != exitToolError || !errors.Is(err, tt.wantErr) {
				t.Fatalf("batch = %d, %v; want %d and %v", code, err, exitToolError, tt.wantErr)
			}
			assertUntouched(t, victim)
			if entries, _ := os.ReadDir(filepath.Dir(victim)); len(entries) != 1 {
				t.Errorf("the link's folder holds %d files, want only the victim", len(entries))
			}
		})
	}
}

// TestWriteIndexRefusesLinks: index.json and index.html go through the
// reports' safe writer: a link planted at either name is refused, its
// target untouched.
func TestWriteIndexRefusesLinks(t *testing.T) {
	for _, name := range []string{"index.json", "index.html"} {
		t.Run(name, func(t *testing.T) {
			dir, victim := t.TempDir(), plantVictim(t)
			if err := os.Symlink(victim, filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
			if err := writeIndex(dir, []IndexEntry{{Name: "a"}}, time.Second); !errors.Is(err, reports.ErrSymlink) {
				t.Errorf("writeIndex with %s a link = %v, want ErrSymlink", name, err)
			}
			assertUntouched(t, victim)
		})
	}
}

// TestTargetArgsCannotMoveReports: a target's own --report-dir (in any
// spelling the flag package takes) is refused with the target's name, and
// even if it got through, the batch's comes last on the run's command
// line.
func TestTargetArgsCannotMoveReports(t *testing.T) {
	for _, args := range []string{"[--report-dir, /tmp/elsewhere]", "[--report-dir=/tmp/elsewhere]", "[-report-dir, ../..]", "[-report-dir=x]"} {
		file := writeFile(t, "t.yaml", "targets:\n  - name: mine\n    fixture: documented\n    args: "+args+"\n")
		_, err := loadTargets(file)
		if err == nil || !strings.Contains(err.Error(), "target 1 (mine): args may not set --report-dir") {
			t.Errorf("args %s: %v, want the target's --report-dir refused", args, err)
		}
	}
	got := Target{Fixture: "documented", Args: []string{"--report-dir", "/tmp/elsewhere"}}.runArgs("batch/documented")
	if n := len(got); n < 2 || got[n-2] != "--report-dir" || got[n-1] != "batch/documented" {
		t.Errorf("runArgs = %q, want the batch's --report-dir last", got)
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// chownOther gives path to otherUID, or skips the test when only root
// could.
func chownOther(t *testing.T, path string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file to another user; run as root to cover this case")
	}
	if err := os.Lchown(path, otherUID, otherUID); err != nil {
		t.Fatal(err)
	}
}

// TestServeReferenceFiles: --env-out and --ca-out never write through a
// link or over another user's file (which would stay theirs, so they could
// read the exported keys), the env file is the operator's alone (0600)
// while serve-reference runs, and it is gone when serve-reference stops.
func TestServeReferenceFiles(t *testing.T) {
	tests := []struct {
		name    string
		flag    string // --env-out or --ca-out
		plant   func(t *testing.T, path, victim string)
		wantErr error
	}{
		{"the env file is a link", "--env-out", func(t *testing.T, path, victim string) {
			if err := os.Symlink(victim, path); err != nil {
				t.Fatal(err)
			}
		}, reports.ErrSymlink},
		{"the env file is another user's", "--env-out", func(t *testing.T, path, _ string) {
			if err := os.WriteFile(path, []byte("untouched"), 0o666); err != nil {
				t.Fatal(err)
			}
			chownOther(t, path)
		}, reports.ErrForeign},
		{"the env file's folder is another user's", "--env-out", func(t *testing.T, path, _ string) {
			chownOther(t, filepath.Dir(path))
		}, reports.ErrForeign},
		{"the CA file is a link", "--ca-out", func(t *testing.T, path, victim string) {
			if err := os.Symlink(victim, path); err != nil {
				t.Fatal(err)
			}
		}, reports.ErrSymlink},
		{"the CA file is another user's", "--ca-out", func(t *testing.T, path, _ string) {
			if err := os.WriteFile(path, []byte("untouched"), 0o666); err != nil {
				t.Fatal(err)
			}
			chownOther(t, path)
		}, reports.ErrForeign},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			victim := plantVictim(t)
			path := filepath.Join(t.TempDir(), "out")
			tt.plant(t, path, victim)
			before, _ := os.ReadFile(path)
			// Bounded: a serve-reference that accepts the file serves
			// until its context ends.
			ctx, cancel := context.WithTimeout(t.Context(), serveUpTimeout)
			defer cancel()
			var out syncBuffer
			code, err := serveCmd(ctx, []string{"--mode", "jwt", tt.flag, path}, &out)
			if code != exitToolError || !errors.Is(err, tt.wantErr) {
				t.Fatalf("serve-reference %s over a planted file = %d, %v; want %d and %v", tt.flag, code, err, exitToolError, tt.wantErr)
			}
			assertUntouched(t, victim)
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Errorf("the planted file was written: %q", after)
			}
		})
	}

	t.Run("the env file lives as long as serve-reference", func(t *testing.T) {
		envFile := filepath.Join(t.TempDir(), "serve.env")
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var out syncBuffer
		done := make(chan serveResult, 1)
		go func() {
			code, err := serveCmd(ctx, []string{"--mode", "jwt", "--env-out", envFile}, &out)
			done <- serveResult{code, err}
		}()
		waitForUp(t, &out, done)
		if vars := readEnvFile(t, envFile); vars["AUTH_SECRET_KEY"] == "" {
			t.Errorf("the env file exports no AUTH_SECRET_KEY")
		}
		cancel()
		select {
		case r := <-done:
			if r.code != exitOK || r.err != nil {
				t.Errorf("serve-reference = %d, %v; want %d", r.code, r.err, exitOK)
			}
		case <-time.After(serveStopTimeout):
			t.Fatalf("serve-reference did not stop within %s", serveStopTimeout)
		}
		if _, err := os.Lstat(envFile); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the env file outlives serve-reference: %v", err)
		}
	})
}

// TestRemoveStaleRunFolders: a run or batch killed with SIGKILL leaves its
// folder (a batch's holds its CA's private key); the next run removes the
// folders of this user whose process is gone and says so, and leaves a
// folder in use, another user's, one it did not make and a link alone.
func TestRemoveStaleRunFolders(t *testing.T) {
	tmp := shortTempDir(t)
	ns, _ := os.Readlink("/proc/self/ns/pid")
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	folder := func(name, owner string) string {
		dir := filepath.Join(tmp, name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "ca-key.pem"), []byte("key"), 0o600); err != nil {
			t.Fatal(err)
		}
		if owner != "" {
			if err := os.WriteFile(filepath.Join(dir, ".owner"), []byte(owner), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	// A start time no process has: the pid may have been reused since.
	deadOwner := fmt.Sprintf("pid=%d start=1 ns=%s\n", dead.Process.Pid, ns)
	liveOwner := fmt.Sprintf("pid=%d start=%s ns=%s\n", os.Getpid(), procStart(t, os.Getpid()), ns)
	stale := []string{folder("mfc-b-killed", deadOwner), folder("mfc-killed", deadOwner)}
	kept := map[string]string{
		folder("mfc-b-running", liveOwner): "its process is alive",
		folder("mfc-b-unknown", ""):        "it names no owner",
		folder("mfc-b-elsewhere", strings.Replace(deadOwner, "ns="+ns, "ns=pid:[1]", 1)): "its process is in another pid namespace",
	}
	link := filepath.Join(tmp, "mfc-b-link")
	if err := os.Symlink(folder("target-of-link", deadOwner), link); err != nil {
		t.Fatal(err)
	}
	kept[link] = "it is a link"
	if os.Geteuid() == 0 {
		theirs := folder("mfc-b-theirs", deadOwner)
		if err := os.Chown(theirs, otherUID, otherUID); err != nil {
			t.Fatal(err)
		}
		kept[theirs] = "it is another user's"
	} else {
		t.Log("not root: the case of another user's folder is not covered")
	}

	cmd := exec.Command(binary, "run", "--fail-on", "never", "--report-dir", t.TempDir())
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	_ = cmd.Run() // --fail-on never is a configuration error: the run stops at once
	for _, d := range stale {
		if _, err := os.Lstat(d); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there (%v): its process is gone", filepath.Base(d), err)
		}
		if !strings.Contains(stderr.String(), "removed "+d) {
			t.Errorf("stderr does not say %s was removed:\n%s", d, stderr.String())
		}
	}
	for d, why := range kept {
		if _, err := os.Lstat(d); err != nil {
			t.Errorf("%s was removed, but %s: %v", filepath.Base(d), why, err)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "target-of-link", "ca-key.pem")); err != nil {
		t.Errorf("the link's target was removed: %v", err)
	}
}

// procStart is field 22 of /proc/PID/stat: when the process started.
func procStart(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Skip("no /proc: the start-time check is Linux's")
	}
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	return fields[19]
}

// TestKilledBatchFolderRemovedAtNextStart: a batch killed with SIGKILL
// cannot clean up; its folder with the batch CA's private key stays until
// the next run starts, which removes it and says so.
func TestKilledBatchFolderRemovedAtNextStart(t *testing.T) {
	tmp := shortTempDir(t)
	targets := writeFile(t, "targets.yaml", "targets:\n  - fixture: documented\n")
	cmd := exec.Command(binary, "run", "--targets", targets, "--report-dir", t.TempDir())
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var key string
	for deadline := time.Now().Add(60 * time.Second); key == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m, _ := filepath.Glob(filepath.Join(tmp, "mfc-b-*", "g1", "ca", "ca-key.pem")); len(m) > 0 {
			key = m[0]
		}
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Wait()
	if key == "" {
		t.Fatal("the batch never wrote its CA key")
	}
	// Chromium dies with its parent (PR_SET_PDEATHSIG); wait for it.
	for deadline := time.Now().Add(30 * time.Second); len(chromiumUsing(tmp)) > 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
	}
	if _, err := os.Stat(key); err != nil {
		t.Fatalf("the killed batch's key is gone before the next start (%v): the test proves nothing", err)
	}
	next := exec.Command(binary, "run", "--fail-on", "never", "--report-dir", t.TempDir())
	next.Env = append(os.Environ(), "TMPDIR="+tmp)
	var stderr bytes.Buffer
	next.Stderr = &stderr
	_ = next.Run()
	batchDir := filepath.Dir(filepath.Dir(filepath.Dir(key))) // mfc-b-*/g1/ca/ca-key.pem
	if _, err := os.Lstat(batchDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the killed batch's folder %s is still there after the next start: %v\n%s", batchDir, err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "removed "+batchDir+", left by a batch") {
		t.Errorf("stderr does not say the batch folder was removed:\n%s", stderr.String())
	}
}

// canary stands for a secret in a file named by mistake (a password hash,
// a key): no error about the file may show it.
const canary = "Zx9CANARYq7Lm2Wv"

// misnamedFiles are files mfconform may be pointed at by mistake or by a
// pull request, each holding the canary where a parser could quote it:
// an /etc/shadow line, an unknown key, a value of the wrong kind, an
// anchor, a duplicate key, broken quoting, a key inside a list entry.
var misnamedFiles = map[string]string{
	"shadow":            "root:$y$j9T$" + canary + "$abc:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n",
	"shadow, one field": "root:$6$" + canary + "\n",
	"a key":             canary + ": secret\n",
	"a list":            "- " + canary + "\n",
	"a wrong kind":      "mode: [" + canary + "]\nwaivers: {a: " + canary + "}\ntargets: " + canary + "\n",
	"a duration":        "timeouts:\n  probe: " + canary + "\n",
	"an anchor":         "a: *" + canary + "\n",
	"a duplicate key":   "waivers: []\nwaivers: " + canary + "\n",
	"broken quoting":    "mode: \"" + canary + "\n",
	"an entry's key":    "waivers:\n  - " + canary + ": x\ntargets:\n  - " + canary + ": x\n",
	"waiver values":     "waivers:\n  - spec: " + canary + "\n    code: " + canary + "\n    reason: x\n",
	"waiver date":       "waivers:\n  - spec: X\n    reason: r\n    expires: " + canary + "\n",
	"target values":     "targets:\n  - name: " + canary + "/x\n    fixture: " + canary + "\n",
	"target fixture":    "targets:\n  - name: ok\n    fixture: " + canary + "\n",
}

// TestFileErrorsNeverEchoContent: an error about a waivers, configuration
// or targets file names the file, the line and column and the shape
// wanted — never the file's content — whatever the file holds.
func TestFileErrorsNeverEchoContent(t *testing.T) {
	parsers := map[string]func(path string) error{
		"--waivers": func(p string) error { _, err := result.LoadWaivers(p); return err },
		"--config": func(p string) error {
			_, err := runner.Load([]string{"--config", p}, func(string) string { return "" })
			return err
		},
		"--targets": func(p string) error { _, err := loadTargets(p); return err },
	}
	for flag, parse := range parsers {
		for name, text := range misnamedFiles {
			t.Run(flag+"/"+name, func(t *testing.T) {
				path := writeFile(t, "file", text)
				err := parse(path)
				if err == nil {
					return // a shape this parser takes (an empty list of waivers)
				}
				msg := err.Error()
				if strings.Contains(msg, canary) {
					t.Fatalf("the error shows the file's content: %s", msg)
				}
				if !strings.Contains(msg, path) {
					t.Errorf("the error does not name the file: %s", msg)
				}
				var fe *result.FileError
				if errors.As(err, &fe) && (fe.Line == 0 && !strings.Contains(name, "anchor") || fe.Want == "") {
					t.Errorf("the error names no line or no shape wanted: %s", msg)
				}
			})
		}
	}
}

// TestMisnamedFilesStayUnprinted runs mfconform with a secret-looking file
// as each file it reads — waivers, configuration, targets, secret file, CA
// file — and checks the console and every report it wrote: the file's
// content is in none of them.
func TestMisnamedFilesStayUnprinted(t *testing.T) {
	shadow := writeFile(t, "shadow", misnamedFiles["shadow"])
	pem := writeFile(t, "ca.pem", "-----BEGIN CERTIFICATE-----\n"+canary+canary+"\n-----END CERTIFICATE-----\n"+misnamedFiles["shadow"])
	big := writeFile(t, "big-secret", strings.Repeat(canary, 8<<10))
	target := []string{"--mode", "jwt", "--login-url", "https://login.misnamed.test/login", "--app-url", "reference", "--resolve", "*.misnamed.test=127.0.0.1"}
	tests := []struct {
		name string
		args []string
		env  []string
	}{
		{"waivers", []string{"run", "--waivers", shadow}, nil},
		{"config", []string{"run", "--config", shadow}, nil},
		{"config check", []string{"config", "check", "--config", shadow}, nil},
		{"targets", []string{"run", "--targets", shadow}, nil},
		{"CA file", append([]string{"run", "--ca-file", pem}, target...), nil},
		{"secret file too large", append([]string{"run", "--secret-file", big}, target...), []string{"AUTH_SECRET_KEY="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runBinary(t, tt.env, tt.args...)
			if res.code != exitToolError {
				t.Errorf("exit = %d, want %d\n%s%s", res.code, exitToolError, res.stdout, res.stderr)
			}
			outputs := map[string]string{"stdout": res.stdout, "stderr": res.stderr}
			_ = filepath.WalkDir(res.reportDir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					b, _ := os.ReadFile(p)
					outputs[filepath.Base(p)] = string(b)
				}
				return nil
			})
			for name, text := range outputs {
				if strings.Contains(text, canary) {
					t.Errorf("%s shows the file's content", name)
				}
			}
			if !strings.Contains(res.stderr, "mfconform: ") {
				t.Errorf("stderr says nothing:\n%s", res.stderr)
			}
		})
	}
}
