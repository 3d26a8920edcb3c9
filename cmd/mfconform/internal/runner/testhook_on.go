//go:build mfconform_testhooks

package runner

import (
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// EnvTestPauseBeforeReports, set to a duration, makes a run built with the
// mfconform_testhooks tag wait that long after its specs and cleanups and
// before writing its reports, with a marker file "mfconform-reports-pause"
// in TMPDIR while it waits: the test of a Ctrl-C during report writing
// (cmd/mfconform TestRunInterruptedLeavesNothingBehind) builds such a
// binary. A test that is done with the paused run removes the marker, and
// the run goes on at once instead of waiting out the duration. mfconform as shipped has neither the variable nor the hook
// (testhook_off.go).
const EnvTestPauseBeforeReports = "MFCONFORM_TEST_PAUSE_BEFORE_REPORTS"

// pauseBeforeReports is the test hook EnvTestPauseBeforeReports describes.
// The marker is created, never opened: O_EXCL|O_NOFOLLOW refuse a file or
// link already at its path.
func pauseBeforeReports() {
	d, err := time.ParseDuration(os.Getenv(EnvTestPauseBeforeReports))
	if err != nil || d <= 0 || d > time.Minute {
		return
	}
	marker := filepath.Join(os.TempDir(), "mfconform-reports-pause")
	f, err := os.OpenFile(marker, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		time.Sleep(d)
		return
	}
	f.Close()
	defer os.Remove(marker)
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Lstat(marker); err != nil {
			return
		}
	}
}
