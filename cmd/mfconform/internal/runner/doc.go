// Package runner runs mfconform's suites once per process: it loads and
// validates the one configuration (defaults < --config file < MFCONFORM_*
// environment < flags), prepares the environment (reference deployment,
// Supabase project, Chromium), runs the Ginkgo specs and assembles and
// writes the report. Exit codes are decided by the caller from the Report
// it returns.
//
// Ginkgo is the spec runner, and one Ginkgo run per process is Ginkgo's
// model: its spec tree is the process's, RunSpecs runs it once (a second
// call prints "Rerunning Suite" and exits) and a binary may hold one
// BeforeSuite. So the runner registers the modes' checks in that tree once
// per process (suite), Run runs them once, and anything that needs more
// runs — a batch (run --targets), a service that probes deployments again
// and again — starts each run as its own `mfconform run` process and reads
// the report.json it writes, as orchestrators run the Kubernetes e2e binary
// and read its JUnit. A process also keeps what goes wrong in one run (a
// crash, a hung browser step, a leaked goroutine) out of the next. What the
// model does not force stays out of package state: each run's redaction
// set, environment and verdicts are values Run makes and passes to the
// evidence gathers (env.Env) and to the specs (posted on the judge.Board
// the tree's specs read, which lives as long as the tree). The runs of a
// batch share one Chromium rather than each starting its own: the batch
// launches it with --remote-debugging-pipe (it has no TCP port), and a
// relay in the batch's process serves that pipe on a Unix socket (mode
// 0600, in the batch's 0700 folder) to peers of the same user only
// (SO_PEERCRED), giving each run the browser contexts it made and nothing
// of another's (harness/browser relay); a run attaches through it
// (Config.SharedBrowser) instead of launching.
//
// Ctrl-C (SIGINT) and SIGTERM have one owner: main's signal context
// (cmd/mfconform/main.go, signal.NotifyContext). It is the ctx of Run and
// of a batch, and every step under them stops on it: the browser launch,
// each evidence bundle, a batch's runs (sent SIGINT, so each writes its
// report and cleans up as a run started by hand does; a Ctrl-C at a
// terminal also reaches them directly, for they share the batch's process
// group). Ginkgo installs a handler of its own whenever it runs or previews
// specs (it cannot be turned off); it sees the same signal, marks the specs
// interrupted and runs their cleanups, and Run folds it into the run's one
// context (BeforeSuite) and relies on it for nothing else. Every resource's
// cleanup is registered where it is born, so a run or batch interrupted at
// any point leaves no Chromium and no temporary folder behind
// (TestRunInterruptedLeavesNothingBehind, TestTargetsBatchInterrupted).
package runner
