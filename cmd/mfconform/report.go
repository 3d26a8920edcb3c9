package main

import (
	"flag"
	"fmt"
	"io"
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
}

// stdoutPath is the --out that means standard output.
const stdoutPath = "-"

// reportOptions are `mfconform report`'s flags.
type reportOptions struct{ from, format, out string }

// reportSettings is the table of `mfconform report`'s flags.
var reportSettings = &settings.Table[reportOptions]{
	Command: "report",
	Settings: []settings.Setting[reportOptions]{
		{Flag: "from", Arg: "FILE", Usage: "the report.json to render",
			Value: settings.String(func(o *reportOptions) *string { return &o.from })},
		{Flag: "format", Arg: "FORMAT", Usage: "html, junit, md or json",
			Value: settings.String(func(o *reportOptions) *string { return &o.format }).Default("html").OneOf("html", "junit", "md", "json")},
		{Flag: "out", Arg: "FILE", Usage: "where to write, - for standard output (default: the format's usual name next to --from)",
			Value: settings.String(func(o *reportOptions) *string { return &o.out })},
	},
}

func reportFlagSet() (*flag.FlagSet, *reportOptions) {
	o := &reportOptions{}
	reportSettings.SetDefaults(o)
	return reportSettings.FlagSet(o), o
}

// reportCmd is `mfconform report --from report.json --format html|junit|md|json [--out FILE|-]`:
// it renders a report again from its JSON, the single source every
// rendering comes from. --out - writes the rendering alone to stdout.
func reportCmd(args []string, stdout io.Writer) error {
	fs, o := reportFlagSet()
	if err := reportSettings.ParseFlags(fs, args); err != nil {
		return fmt.Errorf("%w: report: %w", errUsage, err)
	}
	if fs.NArg() > 0 || o.from == "" {
		return fmt.Errorf("%w: report --from report.json --format html|junit|md|json [--out FILE|-]", errUsage)
	}
	f, ok := reportFormats[o.format]
	if !ok {
		return fmt.Errorf("%w: report: --format %q: want html, junit, md or json", errUsage, o.format)
	}
	r, err := reports.ReadJSON(o.from)
	if err != nil {
		return err
	}
	if o.out == stdoutPath {
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
