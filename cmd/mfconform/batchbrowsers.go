package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/harness/hostmap"
	"github.com/mfconform/mfconform/harness/pki"
)

// A batch's browsers, grouped by private CA.
//
// Chromium on Linux trusts a private CA through the NSS database in its
// $HOME/.pki/nssdb (harness/browser BuildNSSDB), which the browser process
// reads as a whole: trust cannot be scoped to one browser context, so
// targets behind different private CAs cannot share one Chromium without
// each trusting the others' CAs. A batch therefore groups its targets by
// the set of private CAs they trust — the batch's --ca-file plus the
// target's own --ca-file (or network.ca_file) — and gives each distinct
// set its own shared browser, whose NSS database holds the batch CA and
// exactly that set; targets with no private CA share the plain one. Each
// run attaches to its group's browser, and its Go client trusts the same
// set (the group's CA folder holds it: runner.SharedCAPrivateFile), so the
// Go probes and Chromium judge the same chain.

// batchBrowser is one of the Chromiums a batch shares and what its runs
// need to use it: the relay's socket and the folder holding the batch CA
// (and the group's private CAs).
//
// The batch loads no page itself: each run's sessions connect through the
// run's own egress guard (runner: browser.Connect), so the batch process
// keeps no TCP listener of its own; Chromium's own calls are turned off
// (harness/browser quiet.go).
type batchBrowser struct {
	browser *browser.Browser
	socket  string
	caDir   string
}

// close closes the browser.
func (b *batchBrowser) close() { _ = b.browser.Close() }

// browserGroup is the targets of a batch that trust the same private CAs,
// and the browser they share, launched when its first target starts
// (open) and closed when its last finishes (finished).
type browserGroup struct {
	n       int      // 1-based, in the order of the targets file
	certs   [][]byte // the private CA certificates (DER), by fingerprint; none for the plain group
	served  []string
	hm      hostmap.Map
	targets []string

	mu   sync.Mutex
	b    *batchBrowser
	err  error // the launch's, kept: every target of the group gets it
	left int   // targets not finished yet
}

// label names the group for dry runs and errors: "browser 2 (private CA
// sha256:0123456789abcdef)", or "browser 1 (no private CA)".
func (g *browserGroup) label() string {
	if len(g.certs) == 0 {
		return "browser " + strconv.Itoa(g.n) + " (no private CA)"
	}
	var fps []string
	for _, c := range g.certs {
		fps = append(fps, fingerprint(c))
	}
	return fmt.Sprintf("browser %d (private CA %s)", g.n, strings.Join(fps, ", "))
}

// caPEM is the group's private CAs as PEM, or nil.
func (g *browserGroup) caPEM() []byte {
	var b []byte
	for _, c := range g.certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c})...)
	}
	return b
}

// fingerprint is a CA certificate's short SHA-256 fingerprint (not
// secret: a certificate is public).
func fingerprint(der []byte) string {
	h := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(h[:8])
}

// batchBrowsers is a batch's browser groups, each launched in a folder of
// its own inside dir.
type batchBrowsers struct {
	dir    string
	groups []*browserGroup
	of     map[string]*browserGroup // by target name
}

// planBrowsers groups targets by the private CAs they trust: batchCA (the
// batch's --ca-file, PEM, checked) and each target's own CA file; pass is
// what the batch gives every run. A target's own CA file that cannot be
// read puts it in the group of batchCA alone: its run refuses the file
// (exit 3) and says why. Targets of one group share a host map, so their
// rules must agree.
func planBrowsers(dir string, targets []Target, batchCA []byte, pass []string, getenv func(string) string) (*batchBrowsers, error) {
	s := &batchBrowsers{dir: dir, of: map[string]*browserGroup{}}
	byKey := map[string]*browserGroup{}
	for _, t := range targets {
		p, err := planOf(t, pass, getenv)
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", t.Name, err)
		}
		certs := caCerts(batchCA, p.ownCA)
		var key strings.Builder
		for _, c := range certs {
			key.WriteString(fingerprint(c) + ",")
		}
		g := byKey[key.String()]
		if g == nil {
			g = &browserGroup{n: len(s.groups) + 1, certs: certs}
			byKey[key.String()] = g
			s.groups = append(s.groups, g)
		}
		if err := g.hm.Merge(p.hm); err != nil {
			return nil, fmt.Errorf("%w: target %s: %v, the other by an earlier target: targets that trust the same private CAs share one browser and its host map, so check them in separate batches", runner.ErrConfig, t.Name, err)
		}
		g.served = append(g.served, p.names...)
		g.targets = append(g.targets, t.Name)
		g.left++
		s.of[t.Name] = g
	}
	return s, nil
}

// caCerts is the distinct certificates of the PEM bundles (checked or
// from a checked file), sorted by fingerprint: a group's identity.
func caCerts(bundles ...[]byte) [][]byte {
	seen := map[string]bool{}
	var out [][]byte
	for _, rest := range bundles {
		for {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				break
			}
			if block.Type != "CERTIFICATE" || seen[string(block.Bytes)] {
				continue
			}
			seen[string(block.Bytes)] = true
			out = append(out, block.Bytes)
		}
	}
	slices.SortFunc(out, func(a, b []byte) int { return strings.Compare(fingerprint(a), fingerprint(b)) })
	return out
}

// targetPlan is what a target's run serves and trusts, from its own
// deployment plan: the names it serves (the batch CA must vouch for
// them), its host map (its --resolve rules, its served names to
// loopback), which its browser must follow, and its own private CA (its
// --ca-file or network.ca_file). A target whose plan cannot be made
// contributes nothing: its own run reports why.
type targetPlan struct {
	names []string
	hm    *hostmap.Map
	ownCA []byte
}

// planOf is a target's targetPlan.
func planOf(t Target, pass []string, getenv func(string) string) (targetPlan, error) {
	cfg, err := runner.Load(t.runArgs("x", pass...)[1:], getenv)
	if err != nil {
		return targetPlan{}, err
	}
	p := targetPlan{hm: &hostmap.Map{}}
	if f := cfg.Network.CAFile; f != "" {
		p.ownCA, _ = runner.LoadCAFile(f)
	}
	plan, err := cfg.Plan()
	if err != nil {
		return p, nil
	}
	hm, err := plan.HostMap(cfg.Network.Resolve)
	if err != nil {
		return p, nil
	}
	p.names, p.hm = plan.Names(), hm
	return p, nil
}

// open returns the group's browser, launching it the first time: it maps
// the group's names, and trusts a batch CA (which may vouch only for the
// names the group's runs serve: its key lands on disk, for the runs) and
// the group's private CAs; the runs reach it through a relay's Unix socket
// in the batch's 0700 folder — the browser has no TCP port. A launch that
// failed fails every later open the same way.
func (g *browserGroup) open(ctx context.Context, dir string) (*batchBrowser, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.b == nil && g.err == nil {
		g.b, g.err = launchGroup(ctx, filepath.Join(dir, "g"+strconv.Itoa(g.n)), g)
		if g.err != nil {
			g.err = fmt.Errorf("start the shared browser of %s: %w", g.label(), g.err)
		}
	}
	return g.b, g.err
}

// finished tells the group one of its targets is done: after the last,
// its browser closes.
func (g *browserGroup) finished() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.left--; g.left == 0 {
		g.closeLocked()
	}
}

// closeLocked closes the group's browser if it runs; g.mu is held.
func (g *browserGroup) closeLocked() {
	if g.b != nil {
		g.b.close()
		g.b = nil
	}
}

// launchGroup launches g's browser in dir.
func launchGroup(ctx context.Context, dir string, g *browserGroup) (*batchBrowser, error) {
	if len(g.served) == 0 {
		// No target's plan could be made: the runs will say why; the CA
		// still needs a name to be bounded to.
		g.served = []string{"invalid"}
	}
	ca, err := pki.NewCA(g.served)
	if err != nil {
		return nil, err
	}
	certPEM, keyPEM, err := ca.MarshalPEM()
	if err != nil {
		return nil, err
	}
	caDir := filepath.Join(dir, "ca")
	if err := os.MkdirAll(caDir, 0o700); err != nil {
		return nil, err
	}
	private := g.caPEM()
	files := map[string][]byte{runner.SharedCACertFile: certPEM, runner.SharedCAKeyFile: keyPEM}
	if len(private) > 0 {
		files[runner.SharedCAPrivateFile] = private
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(caDir, name), b, 0o600); err != nil {
			return nil, err
		}
	}
	sock := filepath.Join(dir, "cdp")
	lctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	br, err := browser.Launch(lctx, browser.Options{Dir: filepath.Join(dir, "c"), ResolverRules: g.hm.ChromiumRules(),
		CAPEM: append(append(certPEM, '\n'), private...), ShareSocket: sock, StartTimeout: 60 * time.Second})
	if err != nil {
		return nil, err
	}
	return &batchBrowser{browser: br, socket: sock, caDir: caDir}, nil
}

// openAll launches every group's browser now (the exporter keeps them
// for its life); on an error none is left running.
func (s *batchBrowsers) openAll(ctx context.Context) error {
	for _, g := range s.groups {
		if _, err := g.open(ctx, s.dir); err != nil {
			s.close()
			return err
		}
	}
	return nil
}

// close closes every browser still running.
func (s *batchBrowsers) close() {
	for _, g := range s.groups {
		g.mu.Lock()
		g.closeLocked()
		g.mu.Unlock()
	}
}

// browserOf is the running browser of target's group (after openAll), or
// nil.
func (s *batchBrowsers) browserOf(target string) *batchBrowser {
	g := s.of[target]
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.b
}

// running is the browsers that run now.
func (s *batchBrowsers) running() []*batchBrowser {
	var out []*batchBrowser
	for _, g := range s.groups {
		g.mu.Lock()
		if g.b != nil {
			out = append(out, g.b)
		}
		g.mu.Unlock()
	}
	return out
}

// order is the targets' indexes with each group's together, in group
// order: a group's browser runs only while its targets do.
func (s *batchBrowsers) order(targets []Target) []int {
	idx := make([]int, len(targets))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return s.of[targets[a].Name].n - s.of[targets[b].Name].n })
	return idx
}

// launchErrors is the launch errors of the groups whose browser could not
// start.
func (s *batchBrowsers) launchErrors() error {
	var errs []error
	for _, g := range s.groups {
		g.mu.Lock()
		errs = append(errs, g.err)
		g.mu.Unlock()
	}
	return errors.Join(errs...)
}
