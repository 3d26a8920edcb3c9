package runner

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/harness/reference"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/env"
	"github.com/mfconform/mfconform/suites/redact"

	_ "github.com/mfconform/mfconform/suites/jwt" // JWT-mode specs
)

// ErrSetup wraps every failure to prepare the environment (exit code 3).
var ErrSetup = errors.New("setup failed")

// suiteName is the Ginkgo suite description.
const suiteName = "mfconform"

// Run runs the configured suites once and returns the report, which it has
// also written to cfg.ReportDir. The error is non-nil only when the run
// could not happen (configuration, setup) or the reports could not be
// written; failing specs are in the report, not in the error.
func Run(ctx context.Context, cfg Config) (*reports.Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(selected(cfg)) == 0 {
		return nil, fmt.Errorf("%w: the label filter %q selects no spec (`mfconform specs` lists the labels)", ErrConfig, cfg.LabelFilter)
	}
	out := cfg.Stdout
	if out == nil {
		out = io.Discard
	}
	rep := &reports.Report{
		SchemaVersion: reports.SchemaVersion, Tool: "mfconform", Version: cfg.Version,
		StartedAt: time.Now(), Modes: []string{cfg.Mode}, PhasesMS: map[string]float64{},
	}
	finish := func(err error) (*reports.Report, error) {
		rep.FinishedAt = time.Now()
		if err != nil && rep.SetupError == "" {
			rep.SetupError = err.Error()
		}
		rep.Summarize()
		if werr := reports.WriteAll(cfg.ReportDir, rep); werr != nil {
			return rep, errors.Join(err, werr)
		}
		return rep, err
	}

	dir, err := runDir()
	if err != nil {
		return finish(fmt.Errorf("%w: create a temporary folder: %v", ErrSetup, err))
	}
	defer os.RemoveAll(dir)

	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	e, closeEnv, err := setup(runCtx, cfg, dir, rep)
	// Registered first, so it runs after cancelRun: evidence gathers stop
	// before the browser and servers go away.
	defer closeEnv()
	if err != nil {
		cancelRun()
		return finish(err)
	}
	env.Set(e)
	defer env.Set(nil)

	specsStart := time.Now()
	gr := runSpecs(cfg, out, filepath.Join(cfg.ReportDir, "ginkgo.log"))
	rep.PhasesMS["specs"] = msSince(specsStart)
	for name, d := range e.Phases() {
		rep.PhasesMS[name] = float64(d.Microseconds()) / 1000
	}
	rep.Specs = reports.FromGinkgo(gr)
	cancelRun()
	_, err = finish(nil)
	reports.PrintSummary(out, rep)
	return rep, err
}

// setup starts the reference deployment and Chromium concurrently and
// returns the environment with one function that closes everything.
func setup(ctx context.Context, cfg Config, dir string, rep *reports.Report) (*env.Env, func(), error) {
	var cleanups []func()
	closeAll := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}

	execPath := cfg.ChromiumPath
	if execPath == "" {
		p, err := browser.FindChromium()
		if err != nil {
			return nil, closeAll, fmt.Errorf("%w: %w", ErrSetup, err)
		}
		execPath = p
	}

	secret := cfg.Secret
	if secret == nil {
		secret = newSecret()
	}
	p := cfg.Reference
	hosts := []string{p.Hosts.Login, p.Hosts.App, p.Hosts.Embed}
	caStart := time.Now()
	ca, err := pki.New(hosts)
	if err != nil {
		return nil, closeAll, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	var hm hostmap.Map
	for _, h := range hosts {
		if err := hm.Add(h, "127.0.0.1"); err != nil {
			return nil, closeAll, fmt.Errorf("%w: %w", ErrSetup, err)
		}
	}
	rep.PhasesMS["certificates"] = msSince(caStart)

	var (
		wg      sync.WaitGroup
		dep     *reference.Deployment
		depErr  error
		br      *browser.Browser
		brErr   error
		depTime float64
		brTime  float64
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		t := time.Now()
		dep, depErr = reference.Start(p, secret, ca)
		depTime = msSince(t)
	}()
	go func() {
		defer wg.Done()
		t := time.Now()
		bctx, cancel := context.WithTimeout(ctx, cfg.Timeouts.BrowserStart)
		defer cancel()
		br, brErr = browser.Launch(bctx, browser.Options{
			ExecPath: execPath, ResolverRules: hm.ChromiumRules(), TrustSPKI: []string{ca.LeafSPKIHash},
			Dir: filepath.Join(dir, "c"), StartTimeout: cfg.Timeouts.BrowserStart,
		})
		brTime = msSince(t)
	}()
	wg.Wait()
	rep.PhasesMS["reference_start"], rep.PhasesMS["browser_start"] = depTime, brTime
	if dep != nil {
		cleanups = append(cleanups, func() { _ = dep.Close() })
	}
	if br != nil {
		rep.Chromium = br.Version
		cleanups = append(cleanups, func() { _ = br.Close() })
	}
	if err := errors.Join(depErr, brErr); err != nil {
		return nil, closeAll, fmt.Errorf("%w: %w", ErrSetup, err)
	}

	desc := "embedded reference deployment (documented setup)"
	if cfg.FixtureName != "" {
		desc = "embedded reference deployment, fixture " + cfg.FixtureName
	}
	rep.Target = reports.Target{
		Description: desc, Fixture: cfg.FixtureName,
		LoginURL: dep.LoginURL, AppURL: dep.AppURL, EmbedURL: dep.EmbedURL,
		SecretFingerprint: redact.Fingerprint(secret),
	}
	e := &env.Env{
		Ctx: ctx,
		Target: env.Target{
			Description: desc, LoginURL: dep.LoginURL, AppURL: dep.AppURL, ProbePath: "/api/me",
			EmbedURL: dep.EmbedURL, Secret: secret,
		},
		Browser: br, Thresholds: cfg.Thresholds, Timeouts: cfg.Timeouts.Timeouts, Now: time.Now,
		BlockThirdPartyCookies: cfg.BlockThirdPartyCookies,
	}
	return e, closeAll, nil
}

// runSpecs runs Ginkgo once with the run's filter, printing each spec as it
// finishes, and returns Ginkgo's report. Ginkgo's own console output goes
// to logPath.
func runSpecs(cfg Config, out io.Writer, logPath string) types.Report {
	var gr types.Report
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err == nil {
		if f, err := os.Create(logPath); err == nil {
			defer f.Close()
			formatter.ColorableStdOut = f
		}
	}
	ReportAfterEach(func(r SpecReport) {
		if r.LeafNodeType == types.NodeTypeIt && r.State != types.SpecStateSkipped || r.Failure.Message != "" {
			reports.PrintSpec(out, reports.FromSpecReport(r))
		}
	})
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
	// Ginkgo keeps its interrupt handler installed after the run.
	signal.Reset(os.Interrupt, syscall.SIGTERM)
	return gr
}

// failer satisfies GinkgoTestingT; the verdict comes from the report.
type failer struct{}

func (failer) Fail() {}

// maxRunDirLen keeps Chromium's Unix socket paths (run dir + ~50 bytes)
// under the 108-byte limit.
const maxRunDirLen = 48

// runDir creates the run's temporary folder under TMPDIR, or under /tmp
// when TMPDIR's path is too long for Chromium's sockets.
func runDir() (string, error) {
	dir, err := os.MkdirTemp("", "mfc-")
	if err != nil || len(dir) <= maxRunDirLen {
		return dir, err
	}
	os.RemoveAll(dir)
	return os.MkdirTemp("/tmp", "mfc-")
}

func newSecret() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return []byte(base64.RawURLEncoding.EncodeToString(b))
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }
