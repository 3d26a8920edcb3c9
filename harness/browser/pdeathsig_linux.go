package browser

import "syscall"

// setPdeathsig makes the kernel kill the browser if the thread that
// started it ends (chromedp starts it from a goroutine locked to its
// thread for the browser's life), so a killed mfconform leaves no browser.
func setPdeathsig(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
