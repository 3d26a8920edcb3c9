//go:build !linux

package browser

import "syscall"

// setPdeathsig has no equivalent outside Linux.
func setPdeathsig(*syscall.SysProcAttr) {}
