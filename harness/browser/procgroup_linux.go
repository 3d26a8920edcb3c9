package browser

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// killGroup sends SIGKILL to every live member of process group id and
// reports whether there was one.
func killGroup(id int) bool {
	pids, ok := groupMembers(id)
	if !ok {
		// No /proc to read: signal the group as a whole and trust it.
		_ = syscall.Kill(-id, syscall.SIGKILL)
		return false
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return len(pids) > 0
}

// groupMembers lists the live (not zombie) processes of process group id;
// ok is false when /proc cannot be read. Zombies are left out: they are
// dead already, and one whose parent is gone waits for the system's
// reaper, not for mfconform. The group is field 5 of /proc/PID/stat
// (proc(5)), counted after the parenthesised command name, which may
// itself hold spaces and parentheses.
func groupMembers(id int) (pids []int, ok bool) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, false
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		// f[0] is the state, f[1] the parent, f[2] the process group.
		f := bytes.Fields(stat[i+1:])
		if len(f) < 3 || string(f[0]) == "Z" || string(f[0]) == "X" {
			continue
		}
		if pgrp, err := strconv.Atoi(string(f[2])); err == nil && pgrp == id {
			pids = append(pids, pid)
		}
	}
	return pids, true
}
