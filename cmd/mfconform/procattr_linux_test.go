package main

import "syscall"

// childOfTest is the process attributes of a server a test starts and
// stops itself: its own group, and SIGTERM when the test binary dies
// without running its cleanups (a panic, go test's -timeout), so no
// server outlives the test run.
func childOfTest() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
