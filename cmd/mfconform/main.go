// Command mfconform checks that a self-hosted Miiflow deployment's
// authentication is set up right, in real headless Chromium, and says
// exactly what is wrong when it is not.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
