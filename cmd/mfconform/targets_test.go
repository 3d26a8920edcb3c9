package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mfconform/mfconform/fixtures"
	"github.com/mfconform/mfconform/fixtures/fixturetest"
	"github.com/mfconform/mfconform/reports"
)

// TestTargetsBatch runs several fixtures as one batch sharing one Chromium:
// each target's report must be exactly what its fixture declares, each
// run must have attached to the shared browser rather than started one,
// and the index must list every target. While the batch runs, neither the
// batch process nor any Chromium process of it listens on TCP, Chromium
// speaks DevTools over its pipe only, and the runs reach it through a
// socket of mode 0600 in a folder of mode 0700 (watchBatch).
func TestTargetsBatch(t *testing.T) {
	names := []string{"documented", "host-only", "sb-anon-key", "samesite-lax"}
	var b strings.Builder
	b.WriteString("targets:\n")
	for _, n := range names {
		b.WriteString("  - fixture: " + n + "\n")
	}
	file := writeFile(t, "targets.yaml", b.String())
	stop := make(chan struct{})
	watched := make(chan batchWatch, 1)
	go func() { watched <- watchBatch(file, stop) }()
	res := runBinary(t, nil, "run", "--targets", file, "--concurrency", "2", "--reference-secret-from-env")
	close(stop)
	w := <-watched
	for _, p := range w.problems {
		t.Error(p)
	}
	if w.samples == 0 {
		t.Errorf("never saw the batch with its Chromium, a run and the relay socket at once (%d polls); the TCP and socket checks proved nothing", w.polls)
	}
	t.Logf("watched the batch %d times with Chromium and runs alive; the runs' own reference servers held %d TCP listeners (expected: the deployments under test)", w.samples, w.runListeners)
	if res.code != exitFailed {
		t.Errorf("exit = %d, want %d (two broken fixtures)\n%s%s", res.code, exitFailed, res.stdout, res.stderr)
	}
	var idx struct {
		Targets []IndexEntry `json:"targets"`
	}
	raw, err := os.ReadFile(filepath.Join(res.reportDir, "index.json"))
	if err != nil || json.Unmarshal(raw, &idx) != nil {
		t.Fatalf("index.json: %v\n%s", err, res.stdout)
	}
	if _, err := os.Stat(filepath.Join(res.reportDir, "index.html")); err != nil {
		t.Errorf("index.html: %v", err)
	}
	var got []string
	for _, e := range idx.Targets {
		got = append(got, e.Name)
		f, _ := fixtures.Get(e.Name)
		r, err := reports.ReadJSON(filepath.Join(res.reportDir, e.Name, reports.JSONFile))
		if err != nil {
			t.Errorf("%s: %v", e.Name, err)
			continue
		}
		for _, m := range fixturetest.Mismatches(f, r) {
			t.Errorf("%s: %s", e.Name, m)
		}
		if _, ok := r.PhasesMS["browser_connect"]; !ok {
			t.Errorf("%s launched its own browser (phases %v), want it attached to the shared one", e.Name, r.PhasesMS)
		}
	}
	sort.Strings(names)
	if !slices.Equal(got, names) {
		t.Errorf("index lists %v, want %v", got, names)
	}
	assertClean(t, res)
}

// TestTargetsShard: shards partition the targets, stably.
func TestTargetsShard(t *testing.T) {
	var b strings.Builder
	b.WriteString("targets:\n")
	var all []string
	for i, f := range fixtures.All() {
		if i == 12 {
			break
		}
		b.WriteString("  - fixture: " + f.Name + "\n")
		all = append(all, f.Name)
	}
	file := writeFile(t, "targets.yaml", b.String())
	var union []string
	for _, s := range []string{"1/3", "2/3", "3/3"} {
		res := runBinary(t, nil, "run", "--targets", file, "--shard", s, "--dry-run")
		if res.code != exitOK {
			t.Fatalf("--shard %s: exit %d: %s", s, res.code, res.stderr)
		}
		part := strings.Fields(res.stdout)
		again := runBinary(t, nil, "run", "--targets", file, "--shard", s, "--dry-run")
		if again.stdout != res.stdout {
			t.Errorf("--shard %s is not stable: %q then %q", s, res.stdout, again.stdout)
		}
		union = append(union, part...)
	}
	sort.Strings(union)
	sort.Strings(all)
	if !slices.Equal(union, all) {
		t.Errorf("shards 1..3 cover %v, want each of %v exactly once", union, all)
	}
	for _, bad := range []string{"0/3", "4/3", "x", "1/0"} {
		if res := runBinary(t, nil, "run", "--targets", file, "--shard", bad, "--dry-run"); res.code != exitToolError {
			t.Errorf("--shard %s: exit %d, want %d", bad, res.code, exitToolError)
		}
	}
}

// TestTargetsBatchInterrupted: Ctrl-C stops a batch and its runs, leaves
// the index, and no Chromium or temporary folder behind.
func TestTargetsBatchInterrupted(t *testing.T) {
	file := writeFile(t, "targets.yaml", "targets:\n  - fixture: documented\n  - fixture: host-only\n  - fixture: sb-anon-key\n")
	tmp := shortTempDir(t)
	reportDir := t.TempDir()
	cmd := exec.Command(binary, "run", "--targets", file, "--concurrency", "1", "--report-dir", reportDir)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "AUTH_SECRET_KEY="+knownSecret)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the first run has its report folder (it is under way).
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if entries, _ := os.ReadDir(reportDir); len(entries) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	interrupt(t, cmd, "the batch", &out)
	if _, err := os.Stat(filepath.Join(reportDir, "index.json")); err != nil {
		t.Errorf("no index.json after the interrupt: %v", err)
	}
	assertClean(t, runResult{stdout: out.String(), reportDir: reportDir, tmpDir: tmp})
}

// TestTargetNames: a target's name becomes a folder inside --report-dir,
// so only [A-Za-z0-9._-]+ other than . and .. is accepted.
func TestTargetNames(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{{"staging-eu_1.b", true}, {"..", false}, {".", false}, {"a/b", false}, {"../x", false}, {"a b", false}, {"x\x1b[2J", false}} {
		file := writeFile(t, "t.yaml", "targets:\n  - name: \""+strings.ReplaceAll(tt.name, "\x1b", "\\e")+"\"\n    fixture: documented\n")
		_, err := loadTargets(file)
		if (err == nil) != tt.ok {
			t.Errorf("loadTargets(name %q) error = %v, want ok %v", tt.name, err, tt.ok)
		}
		if err != nil && strings.ContainsRune(err.Error(), 0x1b) {
			t.Errorf("the error carries a raw escape: %q", err)
		}
	}
}

// batchWatch is what watchBatch saw of a running batch.
type batchWatch struct {
	polls        int      // looks at /proc
	samples      int      // looks that found the batch, its Chromium, a run and the socket
	runListeners int      // most TCP listeners the runs (their reference servers) held at once
	problems     []string // distinct findings
}

// watchBatch polls /proc until stop closes, looking at the batch whose
// command line names targetsFile: the batch process and every Chromium
// process under it must hold no listening TCP socket (v4 or v6), Chromium
// must run with --remote-debugging-pipe and without
// --remote-debugging-port, and the socket the runs are given
// (MFCONFORM_SHARED_BROWSER) must be a listening Unix socket of the batch
// process with mode 0600 in a folder of mode 0700.
func watchBatch(targetsFile string, stop <-chan struct{}) batchWatch {
	var w batchWatch
	seen := map[string]bool{}
	problem := func(format string, args ...any) {
		if p := fmt.Sprintf(format, args...); !seen[p] {
			seen[p] = true
			w.problems = append(w.problems, p)
		}
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return w
		case <-tick.C:
		}
		w.polls++
		procs := procTable()
		batch := 0
		for pid, p := range procs {
			if p.exe == binary && bytes.Contains(p.cmdline, []byte(targetsFile)) {
				batch = pid
			}
		}
		if batch == 0 {
			continue
		}
		listening := tcpListeners()
		var chromium, runs []int
		for _, pid := range descendants(procs, batch) {
			switch {
			case procs[pid].exe == binary:
				runs = append(runs, pid)
			case strings.Contains(filepath.Base(procs[pid].exe), "chrom"):
				chromium = append(chromium, pid)
			}
		}
		for _, pid := range append([]int{batch}, chromium...) {
			for _, ino := range socketInodes(pid) {
				if addr, ok := listening[ino]; ok {
					problem("%s (pid %d) listens on TCP %s", procs[pid].describe(), pid, addr)
				}
			}
		}
		n := 0
		for _, pid := range runs {
			for _, ino := range socketInodes(pid) {
				if _, ok := listening[ino]; ok {
					n++
				}
			}
		}
		w.runListeners = max(w.runListeners, n)
		for _, pid := range chromium {
			args := bytes.Split(procs[pid].cmdline, []byte{0})
			if procs[pid].ppid != batch {
				continue // the browser's own children inherit no DevTools flags
			}
			if slices.ContainsFunc(args, func(a []byte) bool { return bytes.HasPrefix(a, []byte("--remote-debugging-port")) }) {
				problem("Chromium (pid %d) was started with --remote-debugging-port", pid)
			}
			if !slices.ContainsFunc(args, func(a []byte) bool { return string(a) == "--remote-debugging-pipe" }) {
				problem("Chromium (pid %d) was started without --remote-debugging-pipe", pid)
			}
		}
		sock := ""
		for _, pid := range runs {
			if v := environValue(pid, "MFCONFORM_SHARED_BROWSER"); v != "" {
				sock = v
			}
		}
		if sock == "" || len(chromium) == 0 {
			continue
		}
		fi, err := os.Stat(sock)
		if err != nil {
			continue // the batch is ending
		}
		di, err := os.Stat(filepath.Dir(sock))
		if err != nil {
			continue
		}
		if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
			problem("the runs' browser socket %s has mode %v, want a socket of mode 0600", sock, fi.Mode())
		}
		if di.Mode().Perm() != 0o700 {
			problem("the folder of the runs' browser socket %s has mode %v, want 0700", filepath.Dir(sock), di.Mode())
		}
		if ino, ok := unixListener(sock); !ok {
			problem("nothing listens on the runs' browser socket %s", sock)
		} else if !slices.Contains(socketInodes(batch), ino) {
			problem("the runs' browser socket %s is not the batch process's", sock)
		}
		w.samples++
	}
}

// proc is what watchBatch needs of one process.
type proc struct {
	ppid    int
	exe     string
	cmdline []byte
}

func (p proc) describe() string {
	if p.exe == binary {
		return "the batch process"
	}
	return filepath.Base(p.exe)
}

// procTable reads every process's parent, executable and command line.
func procTable() map[int]proc {
	out := map[int]proc{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		rest := stat[bytes.LastIndexByte(stat, ')')+1:]
		f := strings.Fields(string(rest))
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		exe, _ := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		out[pid] = proc{ppid: ppid, exe: strings.TrimSuffix(exe, " (deleted)"), cmdline: cmdline}
	}
	return out
}

// descendants lists every process below root.
func descendants(procs map[int]proc, root int) []int {
	var out []int
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for pid, pr := range procs {
			if pr.ppid == p && pid != p {
				out = append(out, pid)
				queue = append(queue, pid)
			}
		}
	}
	return out
}

// socketInodes lists the inodes of the sockets a process holds.
func socketInodes(pid int) []string {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		l, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err == nil && strings.HasPrefix(l, "socket:[") {
			out = append(out, strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]"))
		}
	}
	return out
}

// tcpListeners maps the inode of every listening TCP socket (v4 and v6)
// to its local address, as /proc/net/tcp{,6} show it.
func tcpListeners() map[string]string {
	out := map[string]string{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fs := strings.Fields(line)
			if len(fs) >= 10 && fs[3] == "0A" { // TCP_LISTEN
				out[fs[9]] = fs[1]
			}
		}
	}
	return out
}

// unixListener returns the inode of the listening Unix socket bound to path.
func unixListener(path string) (string, bool) {
	b, err := os.ReadFile("/proc/net/unix")
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(string(b), "\n")[1:] {
		fs := strings.Fields(line)
		// Num RefCount Protocol Flags Type St Inode Path; flag 0x10000 is
		// __SO_ACCEPTCON, a listening socket.
		if len(fs) == 8 && fs[7] == path {
			flags, _ := strconv.ParseUint(fs[3], 16, 32)
			if flags&0x10000 != 0 {
				return fs[6], true
			}
		}
	}
	return "", false
}

// environValue reads one variable of a process's environment.
func environValue(pid int, name string) string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ"))
	if err != nil {
		return ""
	}
	for _, kv := range bytes.Split(b, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte(name+"=")); ok {
			return string(v)
		}
	}
	return ""
}
