//go:build linux

package browser

import (
	"os/exec"
	"syscall"
	"testing"
)

// TestProcGroupReap: once the group's leader (the browser process) has
// exited, a helper it left in its process group still runs; reap kills it
// and returns only when no live process of the group remains — what Close
// relies on so that a run leaves no Chromium behind.
func TestProcGroupReap(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "sleep 600 & echo started; wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	g := &procGroup{}
	g.set(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	buf := make([]byte, 8)
	if _, err := out.Read(buf); err != nil {
		t.Fatal(err)
	}
	// The leader goes, as the browser process does; its helper stays.
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if !killGroupAlive(cmd.Process.Pid) {
		t.Fatal("the helper exited with its leader: the test proves nothing")
	}
	if !g.reap() {
		t.Fatalf("reap() = false: the group outlived %s", groupReapTimeout)
	}
	if killGroupAlive(cmd.Process.Pid) {
		t.Error("a live process of the group remains after reap()")
	}
	if !(&procGroup{}).reap() {
		t.Error("reap() of a browser that never started = false, want true")
	}
}

// killGroupAlive reports whether process group id has a live member,
// without signalling it.
func killGroupAlive(id int) bool {
	pids, _ := groupMembers(id)
	return len(pids) > 0
}
