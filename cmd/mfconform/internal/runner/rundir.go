package runner

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// maxRunDirLen keeps Chromium's Unix socket paths (run dir + ~50 bytes)
// under the 108-byte limit.
const maxRunDirLen = 48

// Prefixes of the temporary folders of a run and of a batch. A batch's
// holds its CA's private key until the batch ends.
const (
	runDirPrefix   = "mfc-"
	BatchDirPrefix = "mfc-b-"
)

// ownerFile, inside a run or batch folder, records the process that made
// it, so a later start can tell a folder left by a killed process (kill
// -9, a lost machine) from one in use.
const ownerFile = ".owner"

// runDir creates the run's temporary folder.
func runDir() (string, error) { return TempDir(runDirPrefix) }

// TempDir creates a temporary folder (mode 0700) for a run or a batch
// under TMPDIR, or under /tmp when TMPDIR's path is too long for
// Chromium's sockets, and records in it which process owns it (ownerFile)
// for RemoveStale.
func TempDir(prefix string) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err == nil && len(dir) > maxRunDirLen {
		os.RemoveAll(dir)
		dir, err = os.MkdirTemp("/tmp", prefix)
	}
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(filepath.Join(dir, ownerFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err == nil {
		_, err = io.WriteString(f, self().String())
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// owner is the process a folder's ownerFile names: its pid, its start
// time (clock ticks since boot, Linux's /proc/PID/stat field 22; "" where
// unknown) and its pid namespace ("" where unknown). The start time tells
// a reused pid from the process itself; the namespace, a process of
// another container sharing /tmp (whose pid means nothing here).
type owner struct {
	pid       int
	start, ns string
}

func (o owner) String() string {
	return fmt.Sprintf("pid=%d start=%s ns=%s\n", o.pid, o.start, o.ns)
}

// parseOwner reads an ownerFile; ok is false for anything else.
func parseOwner(b []byte) (o owner, ok bool) {
	for _, f := range strings.Fields(string(b)) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "pid":
			o.pid, _ = strconv.Atoi(v)
		case "start":
			o.start = v
		case "ns":
			o.ns = v
		}
	}
	return o, o.pid > 0
}

// self is this process as an owner.
func self() owner {
	ns, _ := os.Readlink("/proc/self/ns/pid")
	return owner{pid: os.Getpid(), start: startTime(os.Getpid()), ns: ns}
}

// startTime is field 22 of /proc/PID/stat (after the command in
// parentheses, which may itself hold spaces and parentheses), or "".
func startTime(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return ""
	}
	fields := strings.Fields(string(b[i+1:]))
	// fields[0] is field 3 (state): field 22 is fields[19].
	if len(fields) < 20 {
		return ""
	}
	return fields[19]
}

// gone reports whether o's process has certainly ended: it is in this pid
// namespace (or neither side knows its namespace) and no process has its
// pid, or the one that has it started at another time.
func (o owner) gone(me owner) bool {
	if o.ns != me.ns {
		return false // another container's process: it cannot be checked from here
	}
	err := syscall.Kill(o.pid, 0)
	if errors.Is(err, syscall.ESRCH) {
		return true
	}
	if o.start == "" {
		return false
	}
	now := startTime(o.pid)
	return now != "" && now != o.start
}

// RemoveStale removes the run and batch folders a killed mfconform left
// in TMPDIR and /tmp — a batch's holds its CA's private key — and says on
// w which it removed and why. It removes only folders that are the
// operator's own (not a link, owned by this user, mode 0700), that carry
// an ownerFile, and whose owner process has certainly ended; anything
// else, in use or another user's, stays.
func RemoveStale(w io.Writer) {
	me := self()
	var seen []string
	for _, parent := range []string{os.TempDir(), "/tmp"} {
		parent = filepath.Clean(parent)
		if slices.Contains(seen, parent) {
			continue
		}
		seen = append(seen, parent)
		entries, err := os.ReadDir(parent)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), runDirPrefix) {
				continue
			}
			dir := filepath.Join(parent, e.Name())
			o, ok := staleOwner(dir, me)
			if !ok {
				continue
			}
			what := "a run"
			if strings.HasPrefix(e.Name(), BatchDirPrefix) {
				what = "a batch, with its CA's private key"
			}
			if err := os.RemoveAll(dir); err != nil {
				fmt.Fprintf(w, "mfconform: could not remove %s, left by %s whose process (pid %d) is gone: %v\n", dir, what, o.pid, err)
				continue
			}
			fmt.Fprintf(w, "mfconform: removed %s, left by %s whose process (pid %d) is gone\n", dir, what, o.pid)
		}
	}
}

// staleOwner returns the owner of dir when dir is a stale folder of this
// user's: a real folder (not a link) of mode 0700 owned by this user,
// whose ownerFile names a process that is gone.
func staleOwner(dir string, me owner) (owner, bool) {
	st, err := os.Lstat(dir)
	if err != nil || !st.IsDir() || st.Mode()&fs.ModeSymlink != 0 || st.Mode().Perm() != 0o700 {
		return owner{}, false
	}
	if s, ok := st.Sys().(*syscall.Stat_t); !ok || int64(s.Uid) != int64(os.Geteuid()) {
		return owner{}, false
	}
	f, err := os.OpenFile(filepath.Join(dir, ownerFile), os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return owner{}, false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 256))
	if err != nil {
		return owner{}, false
	}
	o, ok := parseOwner(b)
	if !ok || o.pid == me.pid || !o.gone(me) {
		return owner{}, false
	}
	return o, true
}
