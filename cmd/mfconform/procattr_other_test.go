//go:build !linux

package main

import "syscall"

// childOfTest is the process attributes of a server a test starts and
// stops itself: its own group (no parent-death signal off Linux).
func childOfTest() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
