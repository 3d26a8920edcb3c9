package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/settings"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/result"
)

// reportFormats maps --format to the writer and the default file name.
var reportFormats = map[string]struct {
	file  string
	write func(string, *result.Report) error
}{
	"json":  {reports.JSONFile, reports.WriteJSON},
	"junit": {reports.JUnitFile, reports.WriteJUnit},
	"html":  {reports.HTMLFile, reports.WriteHTML},
	"md":    {reports.MarkdownFile, reports.WriteMarkdown},
	"sarif": {reports.SARIFFile, reports.WriteSARIF},
	// github is GitHub's workflow commands, one annotation per root cause:
	// for a CI log, so always to standard output.
	"github": {},
}

// stdoutPath is the --out that means standard output.
const stdoutPath = "-"

// reportOptions are `mfconform report`'s flags.
type reportOptions struct{ from, format, out string }

// reportSettings is the table of `mfconform report`'s flags.
var reportSettings = &settings.Table[reportOptions]{
	Command: "report",
	Settings: []settings.Setting[reportOptions]{
		{Flag: "from", Arg: "FILE", Usage: "the report.json to render, or the report folder that holds it",
			Value: settings.String(func(o *reportOptions) *string { return &o.from })},
		{Flag: "format", Arg: "FORMAT", Usage: "html, junit, md, json, sarif, or github (GitHub Actions annotations, one per root cause, on standard output)",
			Value: settings.String(func(o *reportOptions) *string { return &o.format }).Default("html").OneOf("html", "junit", "md", "json", "sarif", "github")},
		{Flag: "out", Arg: "FILE", Usage: "where to write, - for standard output (default: the format's usual name next to --from; github: standard output)",
			Value: settings.String(func(o *reportOptions) *string { return &o.out })},
	},
}

func reportFlagSet() (*flag.FlagSet, *reportOptions) {
	o := &reportOptions{}
	reportSettings.SetDefaults(o)
	return reportSettings.FlagSet(o), o
}

// reportCmd is `mfconform report --from report.json|DIR --format html|junit|md|json|sarif|github [--out FILE|-]`:
// it renders a report again from its JSON, the single source every
// rendering comes from. --out - writes the rendering alone to stdout, as
// --format github always does (the CI's annotations, escaped here, in Go).
func reportCmd(args []string, stdout io.Writer) error {
	fs, o := reportFlagSet()
	if err := reportSettings.ParseFlags(fs, args); err != nil {
		return fmt.Errorf("%w: report: %w", errUsage, err)
	}
	if fs.NArg() > 0 || o.from == "" {
		return fmt.Errorf("%w: report --from report.json|DIR --format html|junit|md|json|sarif|github [--out FILE|-]", errUsage)
	}
	f, ok := reportFormats[o.format]
	if !ok {
		return fmt.Errorf("%w: report: --format %q: want html, junit, md, json, sarif or github", errUsage, o.format)
	}
	if f.write == nil && o.out != "" && o.out != stdoutPath {
		return fmt.Errorf("%w: report: --format %s writes to standard output: drop --out %s", errUsage, o.format, o.out)
	}
	if st, err := os.Stat(o.from); err == nil && st.IsDir() {
		o.from = filepath.Join(o.from, reports.JSONFile)
	}
	r, err := reports.ReadJSON(o.from)
	if err != nil {
		return err
	}
	if o.out == stdoutPath || f.write == nil {
		return reports.Render(stdout, o.format, r)
	}
	path := o.out
	if path == "" {
		path = filepath.Join(filepath.Dir(o.from), f.file)
	}
	if err := f.write(path, r); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return nil
}
