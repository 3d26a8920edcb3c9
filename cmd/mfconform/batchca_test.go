package main

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/result"
)

// TestBatchPrivateCAs runs batches of two real deployments, each a
// `mfconform serve-reference` process with a private CA of its own
// (alpha.test and beta.test, both on loopback), through real TLS and the
// batch's real Chromiums: with each target's own --ca-file the two land in
// two browser groups and both are CONFORMANT; with one batch-level
// --ca-file (a bundle of both CAs, given before --targets) both are
// CONFORMANT in one group; a target that lacks its CA fails with the
// certificate diagnostic while the other passes; Ctrl-C leaves no
// Chromium and no temporary folder. A batch --ca-file that is not a
// certificate is a configuration error (exit 3) before anything runs.
func TestBatchPrivateCAs(t *testing.T) {
	type deployment struct{ name, loginURL, appURL, caFile string }
	start := func(name string) deployment {
		vars, caFile, _ := serveReference(t, "--mode", "jwt", "--secret-from-env",
			"--login-host", "login."+name+".test", "--app-host", "app."+name+".test", "--embed-host", "embed.partner.test")
		return deployment{name, vars["MFCONFORM_LOGIN_URL"], vars["MFCONFORM_APP_URL"], caFile}
	}
	alpha, beta := start("alpha"), start("beta")
	caA, errA := os.ReadFile(alpha.caFile)
	caB, errB := os.ReadFile(beta.caFile)
	if errA != nil || errB != nil || string(caA) == string(caB) {
		t.Fatalf("want two different private CAs: %v %v", errA, errB)
	}
	bundle := writeFile(t, "bundle.pem", string(caA)+string(caB))
	// target is a targets-file entry for d, with its own CA when own.
	target := func(d deployment, own bool) string {
		args := []string{"--login-url", d.loginURL, "--app-url", d.appURL, "--resolve", "*." + d.name + ".test=127.0.0.1"}
		if own {
			args = append(args, "--ca-file", d.caFile)
		}
		return "  - name: " + d.name + "\n    args: [\"" + strings.Join(args, "\", \"") + "\"]\n"
	}

	tests := []struct {
		name     string
		file     string
		batch    []string // batch flags before --targets
		wantExit int
		want     map[string]int // target → exit
		groups   int            // distinct browser groups the dry run shows
	}{
		{"each target its own CA", target(alpha, true) + target(beta, true), nil, exitOK,
			map[string]int{"alpha": exitOK, "beta": exitOK}, 2},
		{"one batch CA for all", target(alpha, false) + target(beta, false), []string{"--ca-file", bundle}, exitOK,
			map[string]int{"alpha": exitOK, "beta": exitOK}, 1},
		{"a target without its CA", target(alpha, true) + target(beta, false), nil, exitToolError,
			map[string]int{"alpha": exitOK, "beta": exitToolError}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, "targets.yaml", "targets:\n"+tt.file)
			args := append(append([]string{"run"}, tt.batch...), "--targets", file)

			dry := runBinary(t, nil, append(args, "--dry-run")...)
			if dry.code != exitOK {
				t.Fatalf("--dry-run: exit %d\n%s%s", dry.code, dry.stdout, dry.stderr)
			}
			groups := map[string]bool{}
			for _, line := range strings.Split(strings.TrimSpace(dry.stdout), "\n") {
				if _, g, ok := strings.Cut(line, "\t"); ok {
					groups[g] = true
				}
			}
			if len(groups) != tt.groups {
				t.Errorf("--dry-run shows %d browser groups with a private CA, want %d:\n%s", len(groups), tt.groups, dry.stdout)
			}

			began := time.Now()
			res := runBinary(t, nil, append(args, "--concurrency", "2")...)
			t.Logf("batch of 2 targets: exit %d in %s\n%s", res.code, time.Since(began).Round(time.Millisecond), res.stdout)
			if res.code != tt.wantExit {
				t.Errorf("exit = %d, want %d\n%s%s", res.code, tt.wantExit, res.stdout, res.stderr)
			}
			for name, want := range tt.want {
				raw, err := os.ReadFile(filepath.Join(res.reportDir, name, reports.JSONFile))
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				r, err := reports.ReadJSON(filepath.Join(res.reportDir, name, reports.JSONFile))
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				if _, ok := r.PhasesMS["browser_connect"]; !ok {
					t.Errorf("%s launched its own browser (phases %v), want it attached to its group's", name, r.PhasesMS)
				}
				switch want {
				case exitOK:
					if r.Verdict != result.VerdictConformant {
						t.Errorf("%s: verdict %q, want %q", name, r.Verdict, result.VerdictConformant)
					}
				case exitToolError:
					// The certificate diagnostic, not a crash: Chromium's
					// own error and the fix that names the flag.
					for _, w := range []string{"ERR_CERT_AUTHORITY_INVALID", "--ca-file FILE"} {
						if !strings.Contains(string(raw), w) {
							t.Errorf("%s: report lacks %q", name, w)
						}
					}
				}
			}
			assertClean(t, res)
		})
	}

	// Ctrl-C while a group's browser runs: every browser the batch started
	// closes, and nothing is left in TMPDIR.
	t.Run("interrupted", func(t *testing.T) {
		file := writeFile(t, "targets.yaml", "targets:\n"+target(alpha, true)+target(beta, true))
		tmp := shortTempDir(t)
		reportDir := t.TempDir()
		cmd := exec.Command(binary, "run", "--targets", file, "--concurrency", "1", "--report-dir", reportDir)
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "AUTH_SECRET_KEY="+knownSecret)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(60 * time.Second); len(chromiumUsing(tmp)) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		}
		interrupt(t, cmd, "the batch", &out)
		assertClean(t, runResult{stdout: out.String(), reportDir: reportDir, tmpDir: tmp})
	})

	t.Run("a batch CA file that is no certificate", func(t *testing.T) {
		file := writeFile(t, "targets.yaml", "targets:\n"+target(alpha, true))
		key := writeFile(t, "key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("not a key")})))
		for _, ca := range []struct{ file, want string }{
			{key, "holds a private key"},
			{filepath.Join(t.TempDir(), "missing.pem"), "no such file"},
			{writeFile(t, "empty.pem", ""), "holds no PEM certificate"},
		} {
			res := runBinary(t, nil, "run", "--ca-file", ca.file, "--targets", file)
			if res.code != exitToolError || !strings.Contains(res.stderr, "--ca-file") || !strings.Contains(res.stderr, ca.want) {
				t.Errorf("--ca-file %s: exit %d, want %d with %q\n%s%s", ca.file, res.code, exitToolError, ca.want, res.stdout, res.stderr)
			}
			if _, err := os.Stat(filepath.Join(res.reportDir, "index.json")); err == nil {
				t.Errorf("--ca-file %s: the batch ran (index.json written)", ca.file)
			}
		}
	})
}

// TestPlanBrowsersGroups: a batch's targets are grouped by the set of
// private CAs they trust — the batch's --ca-file and their own — whatever
// the files are called or the order of the certificates in them; targets
// with no private CA share the plain browser.
func TestPlanBrowsersGroups(t *testing.T) {
	pemOf := func(name string) string {
		ca, err := pki.NewCA([]string{name})
		if err != nil {
			t.Fatal(err)
		}
		return string(ca.CertPEM())
	}
	a, b := pemOf("a.test"), pemOf("b.test")
	files := map[string]string{"a": a, "a-copy": a, "b": b, "ab": a + b, "ba": b + a}
	for n, text := range files {
		files[n] = writeFile(t, n+".pem", text)
	}
	target := func(name, ca string) Target {
		tg := Target{Name: name, Fixture: "documented"}
		if ca != "" {
			tg.Args = []string{"--ca-file", files[ca]}
		}
		return tg
	}
	tests := []struct {
		name    string
		batch   string // the batch's --ca-file, by name
		targets []Target
		groups  [][]string // target names by group, in order
	}{
		{"no private CA: one plain browser", "", []Target{target("x", ""), target("y", "")}, [][]string{{"x", "y"}}},
		{"the same CA in two files", "", []Target{target("x", "a"), target("y", "a-copy"), target("z", "")}, [][]string{{"x", "y"}, {"z"}}},
		{"different CAs", "", []Target{target("x", "a"), target("y", "b")}, [][]string{{"x"}, {"y"}}},
		{"a bundle in either order", "", []Target{target("x", "ab"), target("y", "ba")}, [][]string{{"x", "y"}}},
		{"the batch CA joins every target's set", "a", []Target{target("x", ""), target("y", "b"), target("z", "ab"), target("w", "a")},
			[][]string{{"x", "w"}, {"y", "z"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var batchCA []byte
			if tt.batch != "" {
				batchCA, _ = os.ReadFile(files[tt.batch])
			}
			s, err := planBrowsers(t.TempDir(), tt.targets, batchCA, nil, func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, g := range s.groups {
				got = append(got, g.targets)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.groups) {
				t.Errorf("groups = %v, want %v", got, tt.groups)
			}
			for _, g := range s.groups {
				if want := len(g.certs) > 0; strings.Contains(g.label(), "no private CA") == want {
					t.Errorf("%s: label %q", g.targets, g.label())
				}
			}
		})
	}
}

// TestExporterPrivateCAs: the exporter groups its targets as a batch does
// (batchBrowsers): two deployments behind two different private CAs, each
// target with its own --ca-file, both probe successful and conformant;
// a target lacking its CA fails its probe. SIGINT leaves no Chromium and
// no temporary folder.
func TestExporterPrivateCAs(t *testing.T) {
	type deployment struct{ name, loginURL, appURL, caFile string }
	start := func(name string) deployment {
		vars, caFile, _ := serveReference(t, "--mode", "jwt", "--secret-from-env",
			"--login-host", "login."+name+".test", "--app-host", "app."+name+".test", "--embed-host", "embed.partner.test")
		return deployment{name, vars["MFCONFORM_LOGIN_URL"], vars["MFCONFORM_APP_URL"], caFile}
	}
	alpha, beta := start("alpha"), start("beta")
	entry := func(name string, d deployment, ca bool) string {
		args := []string{"--login-url", d.loginURL, "--app-url", d.appURL, "--resolve", "*." + d.name + ".test=127.0.0.1"}
		if ca {
			args = append(args, "--ca-file", d.caFile)
		}
		return "  - name: " + name + "\n    args: [\"" + strings.Join(args, "\", \"") + "\"]\n"
	}
	x := startExporter(t, "targets:\n"+entry("alpha", alpha, true)+entry("beta", beta, true)+entry("nobeta", beta, false)+
		"min_interval: 0s\nconcurrency: 2\n")
	for _, c := range []struct {
		target  string
		success float64
	}{{"alpha", 1}, {"beta", 1}, {"nobeta", 0}} {
		body := x.probe(t, "target="+c.target)
		if got, ok := sample(body, "mfconform_probe_success"); !ok || got != c.success {
			t.Errorf("%s: mfconform_probe_success = %v (present %v), want %v\n%s", c.target, got, ok, c.success, body)
		}
		if c.success == 1 {
			if got, ok := sample(body, `mfconform_verdict{verdict="conformant"}`); !ok || got != 1 {
				t.Errorf("%s: not conformant\n%s", c.target, body)
			}
		}
	}
	if code := x.stop(t); code != exitInterrupted {
		t.Errorf("exit code after SIGINT = %d, want %d\nstderr:\n%s", code, exitInterrupted, x.stderr)
	}
	left, _ := os.ReadDir(x.tmpDir)
	for _, e := range left {
		t.Errorf("temporary file left behind in TMPDIR: %s", e.Name())
	}
	if pids := chromiumUsing(x.tmpDir); len(pids) > 0 {
		t.Errorf("Chromium processes still running after the exporter stopped: %v", pids)
	}
}
