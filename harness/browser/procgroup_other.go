//go:build !linux

package browser

import "syscall"

// killGroup sends SIGKILL to process group id once. Without Linux's /proc
// to tell live members from zombies it cannot wait for the group, so it
// reports it gone.
func killGroup(id int) bool {
	_ = syscall.Kill(-id, syscall.SIGKILL)
	return false
}
