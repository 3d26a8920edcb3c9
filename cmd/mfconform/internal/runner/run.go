package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwt"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/stack"
	"github.com/mfconform/mfconform/suites/supabase"
)

// ErrSetup wraps every failure to prepare the environment (exit code 3).
var ErrSetup = errors.New("setup failed")

// suiteName is the Ginkgo suite description.
const suiteName = "mfconform"

// Run runs the configured suites once and returns the report, which it has
// also written to cfg.ReportDir. The error is non-nil only when the run
// could not happen (configuration, setup) or the reports could not be
// written; failing specs are in the report, not in the error. Its text
// went through the run's redaction set: it never shows a password of a URL
// the run was given. Run is called once per process (the package doc says
// why).
//
// The run follows Ginkgo's lifecycle: BeforeSuite starts the servers and
// the browser (each with its DeferCleanup), gathers every evidence bundle
// the selected specs need, once and concurrently, and judges it; each spec
// then hands its verdict to Ginkgo; the cleanups run after the last spec,
// in reverse order.
func Run(ctx context.Context, cfg Config) (*result.Report, error) {
	known := cfg.urlSecrets()
	rep := newReport(cfg)
	if err := cfg.Validate(); err != nil {
		return finish(cfg, known, rep, err)
	}
	board := suite()
	chosen := selected(cfg)
	if len(chosen) == 0 {
		// Validate says so first; this keeps Run whole for any caller.
		return finish(cfg, known, rep, fmt.Errorf("%w: the label filter %q selects no spec (`mfconform specs` lists the labels)", ErrConfig, cfg.LabelFilter))
	}
	dir, err := runDir()
	if err != nil {
		return finish(cfg, known, rep, fmt.Errorf("%w: create a temporary folder: %v", ErrSetup, err))
	}
	defer os.RemoveAll(dir)

	var setupErr error
	BeforeSuite(func(sctx SpecContext) {
		// One cancellation for the run: main's signal context (ctx, the
		// owner of Ctrl-C), into which Ginkgo's own interrupt — the same
		// signal, or the suite timeout — is folded; a single node timing
		// out on its own does not stop the evidence.
		gctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stopOnInterrupt := context.AfterFunc(sctx, cancel)
		defer stopOnInterrupt()

		e, err := setup(gctx, cfg, dir, known, rep, func(f func()) { DeferCleanup(f) })
		if err != nil {
			setupErr = err
			Fail(err.Error())
		}
		g := gatherEvidence(gctx, cfg, e, chosen)
		rep.Bundles, rep.Target.Stacks = g.bundles, g.stacks
		board.Post(g.verdicts, known)
		if e != nil && e.Egress != nil {
			rep.Refused, rep.RefusedDropped = refusals(e.Egress, known)
		}
		if e != nil && e.Browser != nil {
			rep.Target.Certificates = certificatesSeen(e.Browser.Certificates(), cfg.deploymentHosts())
			// The evidence is in and no spec uses the browser: it closes
			// while the specs judge; its cleanup waits for that close.
			go func() { _ = e.Browser.Close() }()
		}
	})
	gr := runSpecs(cfg, filepath.Join(cfg.ReportDir, "ginkgo.log"))
	pauseBeforeReports()
	if setupErr != nil {
		return finish(cfg, known, rep, fmt.Errorf("%w: %w", ErrSetup, setupErr))
	}
	rep.Interrupted = ctx.Err() != nil || slices.Contains(gr.SpecialSuiteFailureReasons, "Interrupted by User")
	rep.Specs = specsOf(gr, chosen, rep.Interrupted)
	showRefusals(rep)
	_, err = finish(cfg, known, rep, nil)
	if cfg.Show != nil {
		cfg.Show(rep)
	}
	return rep, err
}

// newReport starts the report of a run.
func newReport(cfg Config) *result.Report {
	return &result.Report{
		SchemaVersion: result.SchemaVersion, Tool: "mfconform", Version: cfg.Version,
		StartedAt: time.Now(), Modes: []string{cfg.Mode}, PhasesMS: map[string]float64{},
		ConfigFingerprint: cfg.Fingerprint(),
	}
}

// finish completes the report — waivers, verdict, the catalogue entries of
// the codes it reports — and writes it when there is a report folder.
// Every outcome, errors included, leaves a report behind. The error it
// returns, like the report's setup error, went through the run's
// redaction set known.
func finish(cfg Config, known *redact.Set, rep *result.Report, err error) (*result.Report, error) {
	rep.FinishedAt = time.Now()
	if err != nil && rep.SetupError == "" {
		// Through the run's redactor: an error may quote a URL the run
		// was given, with its password, or a secret.
		// One line: it may quote what a target sent.
		rep.SetupError = result.CleanLine(known.Clean(err.Error()))
	}
	result.ApplyWaivers(rep, cfg.Waivers, rep.StartedAt)
	rep.Summarize()
	rep.Catalogue = map[result.Code]result.Entry{}
	for _, s := range rep.Specs {
		for _, d := range s.Diagnostics {
			if e, ok := stack.Entry(d.Code); ok {
				rep.Catalogue[d.Code] = e
			}
		}
	}
	if cfg.ReportDir == "" {
		return rep, redactError(known, err)
	}
	if werr := reports.WriteAll(cfg.ReportDir, rep); werr != nil {
		return rep, redactError(known, errors.Join(err, werr))
	}
	return rep, redactError(known, err)
}

// ReportError writes the report of a run that could not start (an invalid
// configuration noticed before Run) and returns it with err, redacted as
// Run's errors are.
func ReportError(cfg Config, err error) (*result.Report, error) {
	return finish(cfg, cfg.urlSecrets(), newReport(cfg), err)
}

// gathered is what a run's BeforeSuite learned: each bundle's timing,
// every chosen spec's settled verdict and the stacks JWT mode's evidence
// points to.
type gathered struct {
	bundles  []result.Bundle
	verdicts judge.Verdicts
	stacks   []result.StackGuess
}

// gatherEvidence gathers what the chosen specs of each mode need,
// concurrently across modes, and judges it once every mode is in (so the
// verdicts are scrubbed with every secret any mode learned): each mode's
// run through its checks, in the order the report prints them
// (judge.Resolve).
func gatherEvidence(ctx context.Context, cfg Config, e *env.Env, chosen []result.SpecID) gathered {
	var (
		wg      sync.WaitGroup
		jr      *jwt.Run
		sr      *supabase.Run
		jwtB    []result.Bundle
		sbB     []result.Bundle
		observe = cfg.Progress
	)
	if cfg.Runs(ModeJWT) {
		wg.Go(func() { jr, jwtB = jwt.Gather(ctx, e, chosen, observe) })
	}
	if cfg.Runs(ModeSupabase) && e.Supabase != nil {
		wg.Go(func() { sr, sbB = supabase.Gather(ctx, e, chosen, cfg.Thorough, observe) })
	}
	wg.Wait()
	g := gathered{bundles: append(jwtB, sbB...), verdicts: judge.Verdicts{}}
	if jr != nil {
		maps.Copy(g.verdicts, judge.Resolve(jwt.Checks(), jr, chosen))
		g.stacks = jr.Stacks()
	}
	if sr != nil {
		maps.Copy(g.verdicts, judge.Resolve(supabase.Checks(), sr, chosen))
	}
	return g
}

// runSpecs runs Ginkgo once with the run's filter and returns Ginkgo's
// report. Ginkgo's own console output goes to logPath.
func runSpecs(cfg Config, logPath string) types.Report {
	var gr types.Report
	// The report folder is checked before anything is written into it
	// (reports.MakeFolder: not a link, not another user's).
	if err := reports.MakeFolder(filepath.Dir(logPath)); err == nil {
		if f, err := createLog(logPath); err == nil {
			defer f.Close()
			formatter.ColorableStdOut = f
		}
	}
	ReportAfterSuite("mfconform report", func(r Report) { gr = r })

	gomega.RegisterFailHandler(Fail)
	sc, rc := GinkgoConfiguration()
	sc.LabelFilter = cfg.labelFilter()
	sc.FocusStrings = cfg.Focus
	sc.RandomSeed = 1
	sc.Timeout = cfg.Timeouts.Suite
	sc.GracePeriod = cfg.Timeouts.Shutdown
	rc.NoColor = true
	RunSpecs(failer{}, suiteName, sc, rc)
	// Ginkgo's interrupt handler stays installed after the run; main's
	// signal context is still registered too, so a Ctrl-C during report
	// writing still cancels the run's context and ends in exit 130.
	return gr
}

// createLog creates Ginkgo's log file without following a symbolic link
// planted at its path.
func createLog(path string) (*os.File, error) {
	if st, err := os.Lstat(path); err == nil && st.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s is a symbolic link", path)
	}
	_ = os.Remove(path)
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
}

// failer satisfies GinkgoTestingT; the verdict comes from the report.
type failer struct{}

func (failer) Fail() {}

// certificatesSeen is the report's view of the leaf certificates the
// browser was shown by the deployment's own hosts (not a CDN a page loaded
// from).
func certificatesSeen(cs []browser.Certificate, hosts map[string]bool) []result.Certificate {
	var out []result.Certificate
	for _, c := range cs {
		if hosts[c.Host] {
			out = append(out, result.Certificate{Host: result.Clean(c.Host), NotAfter: c.NotAfter})
		}
	}
	return out
}

// deploymentHosts are the host names the run serves or reaches, as config
// check lists them (Plan.Routes).
func (c Config) deploymentHosts() map[string]bool {
	out := map[string]bool{}
	p, err := c.Plan()
	if err != nil {
		return out
	}
	for _, r := range p.Routes(c.Reached(), c.Network.Resolve) {
		out[strings.ToLower(r.Name)] = true
	}
	return out
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

// discard is where output goes when the caller gives none.
var discard io.Writer = io.Discard
