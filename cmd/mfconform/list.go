package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/mfconform/mfconform/fixtures"
	"github.com/mfconform/mfconform/suites/runner"
)

// specsCmd is `mfconform specs`: every spec, ID, labels and title.
func specsCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("specs", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: specs: %v", errUsage, err)
	}
	specs, err := runner.List()
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(specs)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, s := range specs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.ID, strings.Join(s.Labels, ","), s.Title)
	}
	return tw.Flush()
}

// fixturesCmd is `mfconform fixtures`: one line per fixture.
func fixturesCmd(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("%w: fixtures takes no arguments", errUsage)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, f := range fixtures.All() {
		expect := "passes every spec"
		if !f.Good() {
			var parts []string
			for id, codes := range f.Expect.Fail {
				parts = append(parts, fmt.Sprintf("%s %v", id, codes))
			}
			for id, codes := range f.Expect.Warn {
				parts = append(parts, fmt.Sprintf("%s warn %v", id, codes))
			}
			expect = strings.Join(parts, "; ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Name, f.Group, f.Description, expect)
	}
	return tw.Flush()
}
