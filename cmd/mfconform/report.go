package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/mfconform/mfconform/reports"
)

// reportFormats maps --format to the writer and the default file name.
var reportFormats = map[string]struct {
	file  string
	write func(string, *reports.Report) error
}{
	"json":  {reports.JSONFile, reports.WriteJSON},
	"junit": {reports.JUnitFile, reports.WriteJUnit},
	"html":  {reports.HTMLFile, reports.WriteHTML},
	"md":    {reports.MarkdownFile, reports.WriteMarkdown},
}

// reportCmd is `mfconform report --from report.json --format html|junit|md|json [--out FILE]`:
// it renders a report again from its JSON, the single source every
// rendering comes from.
func reportCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	from := fs.String("from", "", "the report.json to render")
	format := fs.String("format", "html", "html, junit, md or json")
	out := fs.String("out", "", "where to write (default: the format's usual name next to --from)")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *from == "" {
		return fmt.Errorf("%w: report --from report.json --format html|junit|md|json [--out FILE]", errUsage)
	}
	f, ok := reportFormats[*format]
	if !ok {
		return fmt.Errorf("%w: report: --format %q: want html, junit, md or json", errUsage, *format)
	}
	r, err := reports.ReadJSON(*from)
	if err != nil {
		return err
	}
	path := *out
	if path == "" {
		path = filepath.Join(filepath.Dir(*from), f.file)
	}
	if err := f.write(path, r); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return nil
}
