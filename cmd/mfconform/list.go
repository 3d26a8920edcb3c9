package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/cmd/mfconform/internal/settings"
	"github.com/mfconform/mfconform/fixtures"
)

// specsOptions are `mfconform specs`' flags.
type specsOptions struct{ json bool }

// specsSettings is the table of `mfconform specs`' flags.
var specsSettings = &settings.Table[specsOptions]{
	Command: "specs",
	Settings: []settings.Setting[specsOptions]{
		{Flag: "json", Usage: "print JSON", Value: settings.Bool(func(o *specsOptions) *bool { return &o.json })},
	},
}

// specsCmd is `mfconform specs`: every spec, ID, labels and title.
func specsCmd(args []string, stdout io.Writer) error {
	var o specsOptions
	fs := specsSettings.FlagSet(&o)
	if err := specsSettings.ParseFlags(fs, args); err != nil {
		return fmt.Errorf("%w: specs: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: specs %s", errUsage, specsSettings.Synopsis())
	}
	specs := runner.List()
	if o.json {
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
			expect = f.ExpectedSummary()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Name, f.Group, f.Description, expect)
	}
	return tw.Flush()
}
