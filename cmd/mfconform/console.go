package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/result"
)

// console is where and how a run shows itself, as --format, --quiet and
// --color ask. It is a thin layer over reports/console.go, which words
// every line: a filter choosing which lines (quiet) and a writer that
// colours them.
type console struct {
	// stream is where the console lines go: stdout, or stderr when stdout
	// carries report.json (--format json).
	stream io.Writer
	// lines is stream, through the colouring writer when colour is on.
	lines *colourWriter
	// json is stdout with --format json, else nil.
	json  io.Writer
	quiet bool
}

// newConsole sets up a run's console from its output settings.
func newConsole(o runner.OutputConfig, stdout, stderr io.Writer, getenv func(string) string) *console {
	c := &console{stream: stdout, quiet: o.Quiet}
	if o.Format == runner.FormatJSON {
		c.stream, c.json = stderr, stdout
	}
	c.lines = &colourWriter{w: c.stream, on: colourOn(o.Color, c.stream, getenv)}
	return c
}

// say writes an informational line (the banner, where the reports are):
// not with --quiet.
func (c *console) say(format string, args ...any) {
	if !c.quiet {
		fmt.Fprintf(c.lines, format, args...)
	}
}

// show writes a finished run's console: every listed spec and the summary,
// or with --quiet only the failed and warned specs, what to fix and the
// closing lines.
func (c *console) show(rep *result.Report) {
	causes, _ := rep.Causes()
	for _, s := range rep.Specs {
		if reports.Listed(s.State) && (!c.quiet || quietShows(s.State)) {
			reports.PrintSpec(c.lines, s, causes)
		}
	}
	if c.quiet {
		reports.PrintFixes(c.lines, rep)
		reports.PrintVerdict(c.lines, rep)
	} else {
		reports.PrintSummary(c.lines, rep)
	}
	c.lines.Flush()
}

// quietShows reports whether --quiet keeps a spec in state: failures and
// warnings, what an operator must act on.
func quietShows(state result.State) bool {
	return state == result.StateFailed || state == result.StateWarned
}

// progress is the live progress line's observer: on the console's stream
// when it is a terminal, never with --quiet.
func (c *console) progress() func([]string) {
	if c.quiet {
		return nil
	}
	return progressPrinter(c.stream)
}

// report writes report.json to stdout with --format json.
func (c *console) report(rep *result.Report) error {
	if c.json == nil || rep == nil {
		return nil
	}
	return reports.RenderJSON(c.json, rep)
}

// isTerminal reports whether w is a terminal; tests replace it.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// colourOn decides --color: always and never as said; auto colours a
// terminal unless NO_COLOR is set to anything (https://no-color.org) or
// TERM is dumb. An explicit --color always wins over NO_COLOR.
func colourOn(when string, w io.Writer, getenv func(string) string) bool {
	switch when {
	case runner.ColorAlways:
		return true
	case runner.ColorNever:
		return false
	}
	return isTerminal(w) && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// ANSI SGR sequences the console uses.
const (
	sgrReset  = "\x1b[0m"
	sgrRed    = "\x1b[1;31m"
	sgrGreen  = "\x1b[32m"
	sgrYellow = "\x1b[33m"
	sgrBlue   = "\x1b[36m"
	sgrGrey   = "\x1b[2m"
	sgrBold   = "\x1b[1m"
)

// tagColours colours each state's tag at the start of a spec line
// (reports.PrintSpec).
var tagColours = map[string]string{
	"PASS": sgrGreen, "FAIL": sgrRed, "WARN": sgrYellow, "WAIV": sgrBlue,
	"BLKD": sgrGrey, "INTR": sgrRed, "NJDG": sgrGrey, "SCOP": sgrGrey,
}

// verdictColours colours the verdict line by the verdict, the longer
// verdicts first ("conformant with warnings" before "conformant").
var verdictColours = []struct{ verdict, sgr string }{
	{result.VerdictWarnings, sgrYellow + sgrBold}, {result.VerdictNonConformant, sgrRed},
	{result.VerdictConformant, sgrGreen + sgrBold}, {result.VerdictIncomplete, sgrYellow + sgrBold},
	{result.VerdictInterrupted, sgrRed}, {result.VerdictError, sgrRed},
}

// colourWriter colours whole lines by how they begin: a spec line's state
// tag, the verdict line, the setup error. Everything it colours was
// cleaned of control characters by reports, so no target text can add or
// end a sequence; with colour off it passes the bytes through.
type colourWriter struct {
	w       io.Writer
	on      bool
	partial []byte
}

// Write colours every complete line and keeps the rest for the next
// write (or Flush).
func (c *colourWriter) Write(p []byte) (int, error) {
	if !c.on {
		return c.w.Write(p)
	}
	c.partial = append(c.partial, p...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(c.partial[:i])
		c.partial = c.partial[i+1:]
		if _, err := io.WriteString(c.w, colourLine(line)+"\n"); err != nil {
			return len(p), err
		}
	}
}

// Flush writes what is left of an unfinished line.
func (c *colourWriter) Flush() {
	if len(c.partial) > 0 {
		_, _ = io.WriteString(c.w, colourLine(string(c.partial)))
		c.partial = nil
	}
}

// colourLine is one console line coloured.
func colourLine(line string) string {
	if len(line) > 4 && line[4] == ' ' {
		if sgr, ok := tagColours[line[:4]]; ok {
			return sgr + line[:4] + sgrReset + line[4:]
		}
	}
	if rest, ok := strings.CutPrefix(line, "verdict: "); ok {
		for _, v := range verdictColours {
			if strings.HasPrefix(rest, strings.ToUpper(v.verdict)) {
				return "verdict: " + v.sgr + rest + sgrReset
			}
		}
	}
	if strings.HasPrefix(line, "setup failed: ") {
		return sgrRed + line + sgrReset
	}
	return line
}
