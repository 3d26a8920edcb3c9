package scripts

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/diag"
	res "github.com/mfconform/mfconform/suites/result"
)

// fakeMfconform stands in for mfconform where the action's plumbing is
// under test: it records its arguments in $FAKE_ARGS, writes the reports
// the FAKE_* variables ask for and exits with $FAKE_CODE.
const fakeMfconform = `#!/usr/bin/env bash
set -eu
case "${1:-}" in
  action-args | report)
    [ -z "${FAKE_REAL:-}" ] || exec "$FAKE_REAL" "$@"
    [ "$1" = report ] && exit 0
    exit 3 ;;
esac
printf '%s\n' "$@" >"$FAKE_ARGS"
dir=""
prev=""
for a in "$@"; do
  [ "$prev" != --report-dir ] || dir=$a
  prev=$a
done
mkdir -p "$dir"
[ -z "${FAKE_SUMMARY:-}" ] || printf '%s\n' "$FAKE_SUMMARY" >"$dir/summary.md"
[ -z "${FAKE_SARIF:-}" ] || printf '{}\n' >"$dir/report.sarif"
[ -z "${FAKE_REPORT:-}" ] || cp "$FAKE_REPORT" "$dir/report.json"
[ -z "${FAKE_VERDICT:-}" ] || printf '{\n  "schema_version": 1,\n  "verdict": "%s",\n  "specs": [{"verdict": "other"}]\n}\n' "$FAKE_VERDICT" >"$dir/report.json"
for t in ${FAKE_TARGETS:-}; do
  mkdir -p "$dir/$t"
  printf '## target %s\n' "$t" >"$dir/$t/summary.md"
done
exit "${FAKE_CODE:-0}"
`

// actionRun is one run of scripts/action.sh.
type actionRun struct {
	result
	outputs   map[string]string
	summary   string
	workspace string
}

// runAction runs scripts/action.sh as the composite step would: in a
// workspace, with GitHub's files in a temporary folder, and env on top of
// a clean environment.
func runAction(t *testing.T, env ...string) actionRun {
	t.Helper()
	gh := t.TempDir()
	ws := filepath.Join(gh, "workspace")
	runnerTemp := filepath.Join(gh, "runner-temp")
	for _, d := range []string{ws, runnerTemp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out, sum := filepath.Join(gh, "output"), filepath.Join(gh, "step_summary")
	for _, f := range []string{out, sum} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	all := baseEnv(t, append([]string{
		"GITHUB_OUTPUT=" + out, "GITHUB_STEP_SUMMARY=" + sum, "RUNNER_TEMP=" + runnerTemp,
		"GITHUB_WORKSPACE=" + ws, "GITHUB_ACTION_PATH=" + repoRoot(t),
	}, env...)...)
	res := run(t, 3*time.Minute, ws, all, filepath.Join(repoRoot(t), "scripts", "action.sh"))
	ar := actionRun{result: res, outputs: map[string]string{}, workspace: ws}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	outputs, err := parseOutputFile(string(b))
	if err != nil {
		t.Errorf("GITHUB_OUTPUT is not in GitHub's format: %v\n%s", err, b)
	}
	for _, o := range outputs {
		if _, dup := ar.outputs[o[0]]; dup {
			t.Errorf("output %s set twice in GITHUB_OUTPUT:\n%s", o[0], b)
		}
		ar.outputs[o[0]] = o[1]
	}
	s, err := os.ReadFile(sum)
	if err != nil {
		t.Fatal(err)
	}
	ar.summary = string(s)
	return ar
}

// parseOutputFile reads a $GITHUB_OUTPUT file as GitHub's runner does
// (its file command for outputs): each entry is NAME=VALUE on one line, or
// NAME<<DELIMITER, the value's lines, and a line that is exactly the
// delimiter; whichever of "=" and "<<" comes first decides.
func parseOutputFile(text string) ([][2]string, error) {
	var out [][2]string
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		eq, hd := strings.Index(line, "="), strings.Index(line, "<<")
		switch {
		case eq >= 0 && (hd < 0 || eq < hd):
			out = append(out, [2]string{line[:eq], line[eq+1:]})
		case hd >= 0:
			name, delim := line[:hd], line[hd+2:]
			var value []string
			for i++; ; i++ {
				if i >= len(lines) {
					return out, fmt.Errorf("output %s: no line %q ends it", name, delim)
				}
				if lines[i] == delim {
					break
				}
				value = append(value, lines[i])
			}
			out = append(out, [2]string{name, strings.Join(value, "\n")})
		default:
			return out, fmt.Errorf("line %q is neither NAME=VALUE nor NAME<<DELIMITER", line)
		}
	}
	return out, nil
}

// writeExecutable writes an executable script.
func writeExecutable(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestActionRunsMfconform runs the action's step with a locally built
// mfconform against the embedded reference deployment.
func TestActionRunsMfconform(t *testing.T) {
	bin := buildBinary(t)
	tests := []struct {
		name            string
		env             []string
		wantCode        int
		wantVerdict     string
		wantSummary     string
		wantAnnotations []string // the start of each workflow command the runner obeys
		wantSARIF       string
	}{
		{name: "default job", env: []string{"AUTH_SECRET_KEY=" + knownSecret},
			wantCode: 0, wantVerdict: "conformant", wantSummary: "**Verdict: CONFORMANT**"},
		{name: "missing waivers file", env: []string{"AUTH_SECRET_KEY=" + knownSecret, "INPUT_WAIVERS=/nonexistent/waivers.yaml", "INPUT_MODE=jwt"},
			wantCode: 3, wantVerdict: "error", wantSummary: "## mfconform",
			wantAnnotations: []string{"::error title=mfconform%3A setup failed::invalid configuration: invalid waivers file"}},
		{name: "a broken deployment through the args input, with SARIF and annotations",
			env:      []string{"AUTH_SECRET_KEY=" + knownSecret, "INPUT_MODE=jwt", "INPUT_ARGS=- --fixture\n- host-only\n", "INPUT_SARIF=true"},
			wantCode: 1, wantVerdict: "not conformant", wantSummary: "### What to fix\n\n1. `COOKIE_HOST_ONLY`",
			wantAnnotations: []string{"::error title=COOKIE_HOST_ONLY::"}, wantSARIF: "out/reports/report.sarif"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ar := runAction(t, append([]string{"MFCONFORM_BIN=" + bin, "INPUT_REPORT_DIR=out/reports"}, tt.env...)...)
			if ar.code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", ar.code, tt.wantCode, ar.stdout, ar.stderr)
			}
			want := map[string]string{"verdict": tt.wantVerdict, "exit-code": fmt.Sprint(tt.wantCode), "report-dir": "out/reports"}
			for k, v := range want {
				if ar.outputs[k] != v {
					t.Errorf("output %s = %q, want %q (all: %v)", k, ar.outputs[k], v, ar.outputs)
				}
			}
			if !strings.Contains(ar.summary, tt.wantSummary) {
				t.Errorf("job summary does not contain %q:\n%s", tt.wantSummary, ar.summary)
			}
			reports := filepath.Join(ar.workspace, "out", "reports")
			checkReports(t, reports)
			written, err := os.ReadFile(filepath.Join(reports, "summary.md"))
			if err != nil || !strings.Contains(ar.summary, strings.TrimSpace(string(written))) {
				t.Errorf("job summary is not summary.md (%v)", err)
			}
			for name, text := range map[string]string{"stdout": ar.stdout, "stderr": ar.stderr, "summary": ar.summary} {
				if strings.Contains(text, knownSecret) {
					t.Errorf("%s shows AUTH_SECRET_KEY", name)
				}
			}
			obeyed := workflowCommands(ar.stdout + "\n" + ar.stderr)
			if len(obeyed) != len(tt.wantAnnotations) {
				t.Errorf("the runner obeys %q, want %d annotations %q", obeyed, len(tt.wantAnnotations), tt.wantAnnotations)
			}
			for i, want := range tt.wantAnnotations {
				if i < len(obeyed) && !strings.HasPrefix(obeyed[i], want) {
					t.Errorf("annotation %d = %q, want it to start %q", i, obeyed[i], want)
				}
			}
			if ar.outputs["sarif"] != tt.wantSARIF {
				t.Errorf("output sarif = %q, want %q", ar.outputs["sarif"], tt.wantSARIF)
			}
			if tt.wantSummary != "" && strings.Contains(ar.summary, "| State | Count |") &&
				strings.Index(ar.summary, "| State | Count |") < strings.Index(ar.summary, tt.wantSummary) {
				t.Errorf("the job summary puts the count table before %q:\n%s", tt.wantSummary, ar.summary)
			}
		})
	}
}

// TestActionInputsAndExitCodes checks, with a stand-in mfconform, that
// every input becomes its flag, that the exit code passes through, and
// what the outputs and the job summary say.
func TestActionInputsAndExitCodes(t *testing.T) {
	dir := t.TempDir()
	fake := writeExecutable(t, filepath.Join(dir, "mfconform"), fakeMfconform)
	// The real mfconform reads the args input (action-args) and writes the
	// annotations (report): the stand-in hands both to it.
	real := buildBinary(t)
	// certutil stands in for NSS's (ca-file wants it).
	tools := filepath.Join(dir, "tools")
	writeExecutable(t, filepath.Join(tools, "certutil"), "#!/bin/sh\nexit 0\n")
	path := "PATH=" + tools + ":" + os.Getenv("PATH")

	tests := []struct {
		name        string
		env         []string
		wantCode    int
		wantArgs    []string // nil: not checked
		wantVerdict string
		wantSummary []string
		wantSARIF   string
	}{
		{
			name: "every input becomes its flag",
			env: []string{
				"INPUT_MODE=jwt", "INPUT_LOGIN_URL=https://login.staging.acme.com/auth/mf", "INPUT_APP_URL=https://miiflow.staging.acme.com",
				"INPUT_APP_ORIGIN=https://miiflow.staging.acme.com", "INPUT_RESOLVE=*.staging.acme.com=10.20.0.15\n login.x.test=10.0.0.1 ,app.x.test=10.0.0.2\n\n",
				"INPUT_CA_FILE=corp-root.pem", "INPUT_WAIVERS=.mfconform-waivers.yaml", "INPUT_FAIL_ON=warn",
				"INPUT_ALLOW_INCOMPLETE=true", "INPUT_TARGETS=targets.yaml", "INPUT_SHARD=2/3",
				"FAKE_SUMMARY=## summary of the run", "FAKE_VERDICT=conformant",
			},
			wantArgs: []string{"run", "--report-dir", "reports", "--mode", "jwt",
				"--login-url", "https://login.staging.acme.com/auth/mf", "--app-url", "https://miiflow.staging.acme.com",
				"--app-origin", "https://miiflow.staging.acme.com", "--ca-file", "corp-root.pem",
				"--waivers", ".mfconform-waivers.yaml", "--fail-on", "warn", "--allow-incomplete",
				"--targets", "targets.yaml", "--shard", "2/3",
				"--resolve", "*.staging.acme.com=10.20.0.15", "--resolve", "login.x.test=10.0.0.1", "--resolve", "app.x.test=10.0.0.2"},
			wantVerdict: "conformant", wantSummary: []string{"## summary of the run"},
		},
		{
			name: "config and args: a YAML list, each item one argument whatever its spaces",
			env: []string{"INPUT_CONFIG=ci/mfconform.yaml", "INPUT_ARGS=- --thorough\n- \"--label-filter=area:cookie && !slow\"\n- --probe-path\n- '/api/me?x=1 2'\n",
				"FAKE_SUMMARY=## s", "FAKE_VERDICT=conformant"},
			wantArgs: []string{"run", "--report-dir", "reports", "--config", "ci/mfconform.yaml",
				"--thorough", "--label-filter=area:cookie && !slow", "--probe-path", "/api/me?x=1 2"},
			wantVerdict: "conformant",
		},
		{
			name:        "args one a line, shell syntax passed as text",
			env:         []string{"INPUT_ARGS=--login-script=./steps login.yaml\n\n$(touch /tmp/mfconform-action-pwned)\n`id`; rm -rf ~\n", "FAKE_VERDICT=conformant"},
			wantArgs:    []string{"run", "--report-dir", "reports", "--login-script=./steps login.yaml", "$(touch /tmp/mfconform-action-pwned)", "`id`; rm -rf ~"},
			wantVerdict: "conformant",
		},
		{
			name: "args that are not a list of values", env: []string{"INPUT_ARGS=- --thorough\n- [a, b]\n"},
			wantCode: 3, wantVerdict: "error",
		},
		{
			name: "sarif must be a boolean", env: []string{"INPUT_SARIF=yes"},
			wantCode: 3, wantVerdict: "error",
		},
		{
			name: "sarif true names report.sarif", env: []string{"INPUT_SARIF=true", "FAKE_VERDICT=conformant", "FAKE_SARIF=1"},
			wantVerdict: "conformant", wantSARIF: "reports/report.sarif",
		},
		{
			name:     "no inputs: only run and the report folder",
			env:      []string{"FAKE_SUMMARY=## s", "FAKE_VERDICT=conformant", "INPUT_ALLOW_INCOMPLETE=false"},
			wantArgs: []string{"run", "--report-dir", "reports"}, wantVerdict: "conformant",
		},
		{
			name: "the verdict comes from report.json", env: []string{"FAKE_CODE=2", "FAKE_VERDICT=conformant with warnings", "FAKE_SUMMARY=## w"},
			wantCode: 2, wantVerdict: "conformant with warnings", wantSummary: []string{"## w"},
		},
		{
			name: "exit 1 passes through", env: []string{"FAKE_CODE=1", "FAKE_VERDICT=not conformant", "FAKE_SUMMARY=## f"},
			wantCode: 1, wantVerdict: "not conformant",
		},
		{
			name: "exit 4 (incomplete) without report.json", env: []string{"FAKE_CODE=4", "FAKE_SUMMARY=## i"},
			wantCode: 4, wantVerdict: "incomplete", wantSummary: []string{"## i"},
		},
		{
			name: "exit 130 (interrupted)", env: []string{"FAKE_CODE=130"},
			wantCode: 130, wantVerdict: "interrupted", wantSummary: []string{"exited 130 (interrupted) without writing a summary"},
		},
		{
			name: "a batch: one summary per target", env: []string{"INPUT_TARGETS=t.yaml", "FAKE_TARGETS=alpha beta", "FAKE_CODE=1"},
			wantCode: 1, wantVerdict: "not conformant", wantSummary: []string{"## target alpha", "## target beta"},
		},
		{
			name: "allow-incomplete must be a boolean", env: []string{"INPUT_ALLOW_INCOMPLETE=yes"},
			wantCode: 3, wantVerdict: "error", wantSummary: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			argsFile := filepath.Join(t.TempDir(), "args")
			env := append([]string{path, "MFCONFORM_BIN=" + fake, "FAKE_REAL=" + real, "FAKE_ARGS=" + argsFile, "INPUT_REPORT_DIR=reports"}, tt.env...)
			ar := runAction(t, env...)
			if _, err := os.Stat("/tmp/mfconform-action-pwned"); err == nil {
				os.Remove("/tmp/mfconform-action-pwned")
				t.Error("an args input ran a command")
			}
			if ar.outputs["sarif"] != tt.wantSARIF {
				t.Errorf("output sarif = %q, want %q", ar.outputs["sarif"], tt.wantSARIF)
			}
			if ar.code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d\nstderr:\n%s", ar.code, tt.wantCode, ar.stderr)
			}
			if ar.outputs["verdict"] != tt.wantVerdict || ar.outputs["exit-code"] != fmt.Sprint(tt.wantCode) {
				t.Errorf("outputs = %v, want verdict %q and exit-code %d", ar.outputs, tt.wantVerdict, tt.wantCode)
			}
			if tt.wantArgs != nil {
				b, err := os.ReadFile(argsFile)
				if err != nil {
					t.Fatalf("mfconform did not run: %v\nstderr:\n%s", err, ar.stderr)
				}
				if got := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"); !slices.Equal(got, tt.wantArgs) {
					t.Errorf("mfconform arguments:\n got %q\nwant %q", got, tt.wantArgs)
				}
			}
			for _, want := range tt.wantSummary {
				if !strings.Contains(ar.summary, want) {
					t.Errorf("job summary does not contain %q:\n%s", want, ar.summary)
				}
			}
		})
	}
}

// TestActionInstallsRelease serves release archives over https from a
// local server in the layout of GitHub's release downloads and checks that
// the action installs the right one only when its digest is the one the
// action pins (release-digests.sha256 of the action's checkout; never a
// digest from the download server), refuses a release URL that is not
// https, runs nothing it did not verify — a tampered cached archive, a
// binary planted in a shared temporary folder — and leaves no folder
// behind.
func TestActionInstallsRelease(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("release binaries exist for Linux and macOS only")
	}
	name := fmt.Sprintf("mfconform_1.2.3_%s_%s.tar.gz", runtime.GOOS, runtime.GOARCH)
	archive := tarGz(t, map[string]string{"mfconform": fakeMfconform, "README.md": "readme", "LICENSE": "licence"})
	// evil runs instead of mfconform if anything unverified is run: it
	// leaves a mark.
	evilScript := "#!/bin/sh\ntouch \"$EVIL_MARK\"\nexit 0\n"
	evil := tarGz(t, map[string]string{"mfconform": evilScript})
	digest := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	pins := func(lines ...string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "release-digests.sha256"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	good := pins(digest(archive)+"  "+name, strings.Repeat("0", 64)+"  mfconform_1.2.3_other_os.tar.gz")

	tests := []struct {
		name       string
		served     []byte // the archive the server hands out
		actionPath string // the action's checkout (its pinned digests)
		env        []string
		plant      func(t *testing.T, runnerTemp, tmp string) // before the run
		http       bool                                       // MFCONFORM_RELEASES_URL over http
		wantCode   int
		wantErr    string
		wantFetch  bool
	}{
		{name: "version input", served: archive, actionPath: good, env: []string{"INPUT_VERSION=1.2.3"}, wantFetch: true},
		{name: "version input with v", served: archive, actionPath: good, env: []string{"INPUT_VERSION=v1.2.3"}, wantFetch: true},
		{name: "the action's own release tag", served: archive, actionPath: good, env: []string{"MFCONFORM_ACTION_REF=v1.2.3"}, wantFetch: true},
		{name: "the server's archive is not the pinned one", served: evil, actionPath: good, env: []string{"INPUT_VERSION=1.2.3"},
			wantCode: 3, wantErr: "refusing to run it", wantFetch: true},
		{name: "a release the action pins no digest for", served: archive, actionPath: pins(digest(archive) + "  mfconform_1.2.4_x.tar.gz"),
			env: []string{"INPUT_VERSION=1.2.3"}, wantCode: 3, wantErr: "pins no digest"},
		{name: "releases over http are refused", served: archive, actionPath: good, env: []string{"INPUT_VERSION=1.2.3"}, http: true,
			wantCode: 3, wantErr: "want an https:// URL"},
		{name: "a tampered cached archive is not used", served: archive, actionPath: good, env: []string{"INPUT_VERSION=1.2.3"},
			plant: func(t *testing.T, runnerTemp, _ string) {
				if err := os.WriteFile(filepath.Join(runnerTemp, "mfconform-1.2.3.tar.gz"), evil, 0o644); err != nil {
					t.Fatal(err)
				}
			}, wantFetch: true},
		{name: "without RUNNER_TEMP a planted binary in TMPDIR is not run", served: archive, actionPath: good,
			env: []string{"INPUT_VERSION=1.2.3", "RUNNER_TEMP="},
			plant: func(t *testing.T, _, tmp string) {
				writeExecutable(t, filepath.Join(tmp, "mfconform-1.2.3", "mfconform"), evilScript)
			}, wantFetch: true},
		{name: "source needs the action's checkout", env: []string{"INPUT_VERSION=source", "GITHUB_ACTION_PATH=" + t.TempDir()},
			wantCode: 3, wantErr: "needs the action's checkout"},
		{name: "a branch ref means source", env: []string{"MFCONFORM_ACTION_REF=main", "GITHUB_ACTION_PATH=" + t.TempDir()},
			wantCode: 3, wantErr: "needs the action's checkout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []string
			handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				got = append(got, r.URL.Path)
				mu.Unlock()
				if r.URL.Path == "/v1.2.3/"+name {
					w.Write(tt.served)
					return
				}
				http.NotFound(w, r)
			})
			srv := httptest.NewTLSServer(handler)
			defer srv.Close()
			base := srv.URL
			if tt.http {
				plain := httptest.NewServer(handler)
				defer plain.Close()
				base = plain.URL
			}
			caFile := filepath.Join(t.TempDir(), "ca.pem")
			if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
				t.Fatal(err)
			}
			runnerTemp, tmp := t.TempDir(), shortTempDir(t)
			if tt.plant != nil {
				tt.plant(t, runnerTemp, tmp)
			}
			mark := filepath.Join(t.TempDir(), "evil-ran")
			argsFile := filepath.Join(t.TempDir(), "args")
			env := []string{"MFCONFORM_RELEASES_URL=" + base, "CURL_CA_BUNDLE=" + caFile, "FAKE_ARGS=" + argsFile, "EVIL_MARK=" + mark,
				"FAKE_VERDICT=conformant", "FAKE_SUMMARY=## ok", "RUNNER_TEMP=" + runnerTemp, "TMPDIR=" + tmp}
			if tt.actionPath != "" {
				env = append(env, "GITHUB_ACTION_PATH="+tt.actionPath)
			}
			ar := runAction(t, append(env, tt.env...)...)
			if ar.code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d\nrequests: %v\nstderr:\n%s", ar.code, tt.wantCode, got, ar.stderr)
			}
			if _, err := os.Stat(mark); err == nil {
				t.Error("an archive or binary the action did not verify ran")
			}
			if fetched := len(got) > 0; fetched != tt.wantFetch {
				t.Errorf("requests %v, want a download %v", got, tt.wantFetch)
			}
			if left, _ := filepath.Glob(filepath.Join(tmp, "mfconform-bin.*")); len(left) > 0 {
				t.Errorf("folders left behind in TMPDIR: %v", left)
			}
			if tt.wantErr != "" {
				if !strings.Contains(ar.stderr, tt.wantErr) {
					t.Errorf("stderr does not say %q:\n%s", tt.wantErr, ar.stderr)
				}
				if _, err := os.Stat(argsFile); err == nil {
					t.Error("the binary ran although the download was refused")
				}
				return
			}
			if _, err := os.Stat(argsFile); err != nil {
				t.Errorf("the downloaded binary did not run: %v\nstderr:\n%s", err, ar.stderr)
			}
			if ar.outputs["verdict"] != "conformant" {
				t.Errorf("outputs = %v", ar.outputs)
			}
			if cached, err := os.ReadFile(filepath.Join(runnerTemp, "mfconform-1.2.3.tar.gz")); err == nil && digest(cached) != digest(archive) {
				t.Error("RUNNER_TEMP caches an archive that is not the pinned one")
			}
		})
	}
}

// tarGz returns a .tar.gz holding files (all executable).
func tarGz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, n := range slices.Sorted(maps.Keys(files)) {
		body := files[n]
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o755, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestActionMetadata checks action.yml against the step script: every
// input reaches the script, no input carries a secret, and every output
// is one the script sets.
func TestActionMetadata(t *testing.T) {
	root := repoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs  map[string]struct{ Description, Default string }
		Outputs map[string]struct{ Value string }
		Runs    struct {
			Using string
			Steps []struct {
				ID, Shell, Run string
				Env            map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(b, &action); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	script, err := os.ReadFile(filepath.Join(root, "scripts", "action.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if action.Runs.Using != "composite" || len(action.Runs.Steps) != 1 {
		t.Fatalf("runs = %+v, want one composite step", action.Runs)
	}
	step := action.Runs.Steps[0]
	if !strings.Contains(step.Run, "scripts/action.sh") {
		t.Errorf("the step runs %q, want scripts/action.sh", step.Run)
	}
	wantInputs := []string{"version", "mode", "login-url", "app-url", "app-origin", "resolve", "ca-file", "waivers",
		"fail-on", "allow-incomplete", "targets", "shard", "report-dir", "config", "args", "sarif"}
	if got := slices.Sorted(maps.Keys(action.Inputs)); !slices.Equal(got, slices.Sorted(slices.Values(wantInputs))) {
		t.Errorf("inputs = %v, want %v", got, wantInputs)
	}
	secretish := regexp.MustCompile(`(?i)secret|password|token|key`)
	for name, in := range action.Inputs {
		if secretish.MatchString(name) {
			t.Errorf("input %q looks like a secret: secrets go through env only", name)
		}
		if in.Description == "" {
			t.Errorf("input %q has no description", name)
		}
		v := "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if step.Env[v] != "${{ inputs."+name+" }}" {
			t.Errorf("step env %s = %q, want ${{ inputs.%s }}", v, step.Env[v], name)
		}
		if !bytes.Contains(script, []byte(v)) {
			t.Errorf("scripts/action.sh never reads %s", v)
		}
	}
	for _, name := range []string{"verdict", "exit-code", "report-dir", "sarif"} {
		o, ok := action.Outputs[name]
		if !ok || o.Value != "${{ steps."+step.ID+".outputs."+name+" }}" {
			t.Errorf("output %s = %+v, want the step's output", name, o)
		}
		if !bytes.Contains(script, []byte("output "+name+" ")) {
			t.Errorf("scripts/action.sh never sets output %s", name)
		}
	}
}

// hostileMfconform stands in for an mfconform whose target made it print
// workflow commands (a bug, or a path not yet escaped): on stdout and
// stderr, at the start of a line and after spaces, including an attempt
// to stop and resume command processing itself and to set an output.
const hostileMfconform = `#!/usr/bin/env bash
[ "${1:-}" = run ] || exit 0
for fd in 1 2; do
  printf '%s\n' '::error title=injected::from the target' '  ::warning::indented' '::add-mask::conformant' \
    '::stop-commands::guess' '::guess::' '::set-output name=verdict::conformant' '##[error]legacy' '::notice::after' >&$fd
done
exit 1
`

// workflowCommands reads a step's log as GitHub's runner does and returns
// the workflow commands it would obey: on each line, leading whitespace
// trimmed, "::NAME …::MESSAGE" (or the legacy "##[NAME …]MESSAGE"); after
// ::stop-commands::TOKEN nothing is obeyed until a line ::TOKEN::.
func workflowCommands(log string) []string {
	var obeyed []string
	token := ""
	for _, line := range strings.FieldsFunc(log, func(r rune) bool { return r == '\n' || r == '\r' }) {
		l := strings.TrimLeftFunc(line, unicode.IsSpace)
		if token != "" {
			if l == "::"+token+"::" {
				token = ""
			}
			continue
		}
		switch {
		case strings.HasPrefix(l, "::") && strings.Contains(l[2:], "::"):
			cmd, msg, _ := strings.Cut(l[2:], "::")
			name, _, _ := strings.Cut(cmd, " ")
			if name == "stop-commands" {
				token = msg
				continue
			}
			obeyed = append(obeyed, l)
		case strings.HasPrefix(l, "##[") && strings.Contains(l, "]"):
			obeyed = append(obeyed, l)
		}
	}
	return obeyed
}

// TestActionStopsWorkflowCommands: nothing mfconform (or its target)
// prints is obeyed as a workflow command — mfconform runs between
// ::stop-commands:: and a token it cannot know — and no input can add an
// output: a report-dir with a line break is refused, and every output is
// written in the delimiter form. The passwords of URLs the step was given
// are masked; the only commands the action issues.
func TestActionStopsWorkflowCommands(t *testing.T) {
	if _, err := exec.LookPath("od"); err != nil {
		t.Skip("od is needed for the action's random token")
	}
	dir := t.TempDir()
	hostile := writeExecutable(t, filepath.Join(dir, "mfconform"), hostileMfconform)
	tests := []struct {
		name        string
		env         []string
		wantCode    int
		wantVerdict string
		wantMasked  []string
	}{
		{name: "mfconform prints workflow commands", env: []string{"INPUT_LOGIN_URL=https://alice:url-Pw7Qz@login.acme.test/login"},
			wantCode: 1, wantVerdict: "not conformant", wantMasked: []string{"url-Pw7Qz"}},
		{name: "a report-dir that would add an output", env: []string{"INPUT_REPORT_DIR=rep\nverdict=conformant\nexit-code=0"},
			wantCode: 3, wantVerdict: "error"},
		{name: "an input quoting a command", env: []string{"INPUT_MODE=jwt\n::error::from an input", "INPUT_SHARD=1/1\r::warning::x"},
			wantCode: 1, wantVerdict: "not conformant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gh := t.TempDir()
			out := filepath.Join(gh, "output")
			if err := os.WriteFile(out, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(filepath.Join(repoRoot(t), "scripts", "action.sh"))
			cmd.Dir = gh
			cmd.Env = baseEnv(t, append([]string{"GITHUB_OUTPUT=" + out, "RUNNER_TEMP=" + gh, "GITHUB_ACTION_PATH=" + repoRoot(t),
				"MFCONFORM_BIN=" + hostile}, tt.env...)...)
			// One pipe for both streams, in the order a runner reads them.
			var log bytes.Buffer
			cmd.Stdout, cmd.Stderr = &log, &log
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode {
				t.Errorf("exit = %d, want %d\n%s", code, tt.wantCode, log.String())
			}
			var masked []string
			for _, c := range workflowCommands(log.String()) {
				if m, ok := strings.CutPrefix(c, "::add-mask::"); ok && slices.Contains(tt.wantMasked, m) {
					masked = append(masked, m)
					continue
				}
				t.Errorf("the runner would obey %q", c)
			}
			if !slices.Equal(masked, tt.wantMasked) {
				t.Errorf("masked %q, want %q", masked, tt.wantMasked)
			}
			b, _ := os.ReadFile(out)
			outputs, err := parseOutputFile(string(b))
			if err != nil {
				t.Fatalf("GITHUB_OUTPUT: %v\n%s", err, b)
			}
			seen := map[string]string{}
			for _, o := range outputs {
				if _, dup := seen[o[0]]; dup {
					t.Errorf("output %s set twice:\n%s", o[0], b)
				}
				seen[o[0]] = o[1]
			}
			if seen["verdict"] != tt.wantVerdict || seen["exit-code"] != fmt.Sprint(tt.wantCode) {
				t.Errorf("outputs = %q, want verdict %q and exit-code %d", seen, tt.wantVerdict, tt.wantCode)
			}
			for k := range seen {
				if !slices.Contains([]string{"verdict", "exit-code", "report-dir", "sarif"}, k) {
					t.Errorf("an input added the output %q", k)
				}
			}
		})
	}
}

// TestActionAnnotations: after the run's ::stop-commands:: block ends, the
// Action prints one annotation per root cause of report.json — ::error for
// a failure, ::warning for a warning, titled with the code — written and
// escaped by mfconform itself (report --format github). A report whose
// target text holds line breaks and workflow commands, and a run that
// prints commands of its own, add none: the runner (workflowCommands, as
// GitHub's reads a log) obeys exactly the annotations.
func TestActionAnnotations(t *testing.T) {
	if _, err := exec.LookPath("od"); err != nil {
		t.Skip("od is needed for the action's random token")
	}
	real := buildBinary(t)
	dir := t.TempDir()
	fake := writeExecutable(t, filepath.Join(dir, "mfconform"), fakeMfconform)
	evil := "x\n::error title=injected::from the target\r\n::stop-commands::t %0A::warning::w, k: v"
	// Observations as a hand-edited report.json could hold them: raw
	// line breaks, not the escapes a run writes (diag.New cleans).
	raw := func(d diag.Diagnostic, observed string) diag.Diagnostic { d.Observed = observed; return d }
	rep := &res.Report{SchemaVersion: res.SchemaVersion, Tool: "mfconform", Target: res.Target{Description: "staging"}, Specs: []res.Spec{
		{ID: res.JWTCookie002, Labels: []string{"mode:jwt", "area:cookie"}, State: res.StateFailed,
			Diagnostics: []diag.Diagnostic{raw(diag.New(diag.CookieHostOnly, "Domain=.acme.test", ""), evil)}},
		{ID: res.JWTCookie005, State: res.StateBlocked, BlockedBy: res.JWTCookie002, Reason: evil},
		{ID: res.JWTApp005, Labels: []string{"mode:jwt", "area:app"}, State: res.StateFailed, Diagnostics: []diag.Diagnostic{
			raw(diag.New(diag.AppAcceptsBadSignature, "a refusal", ""), "probe a: "+evil), raw(diag.New(diag.AppAcceptsBadSignature, "a refusal", ""), "probe b: "+evil)}},
		{ID: res.JWTToken007, Labels: []string{"mode:jwt", "area:token"}, State: res.StateWarned,
			Diagnostics: []diag.Diagnostic{raw(diag.New(diag.TokenLifetimeLong, "at most 24 h", ""), evil)}},
	}}
	rep.Summarize()
	reportFile := filepath.Join(dir, "report.json")
	if err := reports.WriteJSON(reportFile, rep); err != nil {
		t.Fatal(err)
	}
	gh := t.TempDir()
	out := filepath.Join(gh, "output")
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(repoRoot(t), "scripts", "action.sh"))
	cmd.Dir = gh
	cmd.Env = baseEnv(t, "GITHUB_OUTPUT="+out, "RUNNER_TEMP="+gh, "GITHUB_ACTION_PATH="+repoRoot(t), "MFCONFORM_BIN="+fake,
		"FAKE_REAL="+real, "FAKE_ARGS="+filepath.Join(gh, "args"), "FAKE_REPORT="+reportFile, "FAKE_CODE=1",
		"FAKE_SUMMARY=## s")
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit = %v, want 1\n%s", err, log.String())
	}
	obeyed := workflowCommands(log.String())
	want := []struct{ cmd, title, has string }{
		{"error", "COOKIE_HOST_ONLY", "(JWT-COOKIE-002; blocks 1 spec)"},
		{"error", "APP_ACCEPTS_BAD_SIGNATURE", "(JWT-APP-005 (2 findings))"},
		{"warning", "TOKEN_LIFETIME_LONG", "(JWT-TOKEN-007)"},
	}
	if len(obeyed) != len(want) {
		t.Fatalf("the runner obeys %d commands, want one per root cause (%d):\n%s", len(obeyed), len(want), strings.Join(obeyed, "\n"))
	}
	for i, w := range want {
		prefix := "::" + w.cmd + " title=" + w.title + "::"
		if !strings.HasPrefix(obeyed[i], prefix) {
			t.Errorf("command %d = %.120q, want it to start %q", i, obeyed[i], prefix)
			continue
		}
		msg := strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(strings.TrimPrefix(obeyed[i], prefix))
		if strings.ContainsAny(msg, "\r\n") || !strings.Contains(msg, w.has) || !strings.Contains(msg, `\n::error title=injected::from the target`) {
			t.Errorf("annotation %s message = %q: want one line holding the target's text escaped and %q", w.title, msg, w.has)
		}
	}
}
