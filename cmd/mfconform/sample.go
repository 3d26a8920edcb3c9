package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// sampleFixture is the fixture the sample output (docs/diagnostics.md) runs: the
// headline example, a backend that forgot Domain.
const sampleFixture = "host-only"

// sampleTimeout bounds the sample run (a browser start and one login).
const sampleTimeout = 3 * time.Minute

// sampleBinary is the mfconform binary the sample runs — this one; the
// tests point it at the binary they built. The run is a process of its
// own: a suite runs once per process.
var sampleBinary = os.Executable

// What varies from run to run and is left out of the sample: the banner's
// version, each spec's judging time, the run's duration, the time line
// and the report paths (a temporary folder).
var (
	sampleJudged   = regexp.MustCompile(` \(judged in [^)]*\)`)
	sampleDuration = regexp.MustCompile(` in [0-9.]+(ms|s|m[0-9.]*s)$`)
	sampleDropped  = regexp.MustCompile(`^(mfconform .* — mode |time: |reports: )`)
)

// sampleOutputMarkdown is docs/diagnostics.md's sample output: a real run of the
// embedded reference deployment's host-only fixture, exactly as the
// console prints it, with what varies between runs left out — so the
// docs show today's output and `mfconform docs --check` fails when it
// is stale.
func sampleOutputMarkdown() (string, error) {
	dir, err := os.MkdirTemp("", "mfconform-sample-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), sampleTimeout)
	defer cancel()
	bin, err := sampleBinary()
	if err != nil {
		return "", fmt.Errorf("the sample run needs the mfconform binary: %w", err)
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "run", "--fixture", sampleFixture, "--mode", "jwt", "--report-dir", dir, "--color", "never")
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitFailed {
		return "", fmt.Errorf("the %s fixture's run ended with %v, want exit code %d (not conformant):\n%s", sampleFixture, err, exitFailed, out.String())
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		if sampleDropped.MatchString(l) {
			continue
		}
		l = sampleJudged.ReplaceAllString(l, "")
		l = sampleDuration.ReplaceAllString(l, "")
		lines = append(lines, strings.TrimRight(l, " "))
	}
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	return fmt.Sprintf("A deployment whose backend forgot the `Domain` attribute (`mfconform run --fixture %s`; "+
		"generated from a real run by `mfconform docs`, without the timings and report paths):\n\n```text\n%s\n```\n",
		sampleFixture, strings.Join(lines, "\n")), nil
}
