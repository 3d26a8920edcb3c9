package exporter

import (
	"fmt"
	"time"

	"github.com/mfconform/mfconform/suites/result"
)

// DefaultModule is the module a probe without &module= uses. It selects
// every spec and counts a run as successful when `mfconform run` would
// exit 0 (conformant; warnings and waived results allowed).
const DefaultModule = "default"

// Module is a way of probing a target, named in the exporter's
// configuration: which specs run and what counts as success.
type Module struct {
	// LabelFilter is given to the run as --label-filter (after the
	// target's own arguments, so it wins).
	LabelFilter string `yaml:"label_filter"`
	// FailOn "warn" makes a run with warnings unsuccessful; "fail" (the
	// default) only a failing one, as --fail-on does for run's exit code.
	FailOn string `yaml:"fail_on"`
	// AllowIncomplete counts an incomplete run (specs not judged for a
	// missing input) as successful, as --allow-incomplete does.
	AllowIncomplete bool `yaml:"allow_incomplete"`
	// Timeout bounds a probe when it is shorter than the scrape's own
	// timeout (X-Prometheus-Scrape-Timeout-Seconds less the offset).
	Timeout time.Duration `yaml:"timeout"`
}

// Check reports what makes the module unusable.
func (m Module) Check() error {
	switch m.FailOn {
	case "", "fail", "warn":
	default:
		return fmt.Errorf("fail_on %q: want fail or warn", result.Clean(m.FailOn))
	}
	if m.Timeout < 0 {
		return fmt.Errorf("timeout %s: want a positive duration", m.Timeout)
	}
	return nil
}

// RunArgs are the flags the module adds to a target's run.
func (m Module) RunArgs() []string {
	if m.LabelFilter == "" {
		return nil
	}
	return []string{"--label-filter", m.LabelFilter}
}

// Reason says why a probe has no verdict of its own. The set is fixed: it
// is a label value (mfconform_probe_error_info{reason}).
type Reason string

// Reasons a probe ends without a run's verdict.
const (
	// ReasonTimeout: the run could not finish before the scrape's
	// deadline; it was stopped (SIGINT) and cleaned up.
	ReasonTimeout Reason = "timeout"
	// ReasonBusy: every run slot stayed taken until the deadline.
	ReasonBusy Reason = "concurrency_limit"
	// ReasonBrowser: the shared Chromium was not running and could not be
	// started before the deadline.
	ReasonBrowser Reason = "browser_unavailable"
	// ReasonRunFailed: the run's process ended without a report.
	ReasonRunFailed Reason = "run_failed"
	// ReasonShutdown: the exporter is stopping.
	ReasonShutdown Reason = "shutting_down"
)

// Reasons lists every reason, for metrics that start at zero.
var Reasons = []Reason{ReasonTimeout, ReasonBusy, ReasonBrowser, ReasonRunFailed, ReasonShutdown}
