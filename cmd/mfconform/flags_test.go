package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/settings"
)

// TestCommandFlags: every command that takes flags has a well-formed
// table in commandFlags (the inventory completion will be built from), its
// --help lists every flag of that table, and no help shows a flag the
// table lacks.
func TestCommandFlags(t *testing.T) {
	helpOf := map[string]string{"run": runHelp(), "run --targets": runHelp()}
	for cmd, h := range subcommandHelp {
		if _, ok := helpOf[cmd]; !ok {
			helpOf[cmd] = h()
		}
	}
	helpOf["config check"] = helpOf["config"]
	registered := map[string]bool{}
	for _, c := range commandFlags {
		registered[strings.Fields(c.command)[0]] = true
		t.Run(c.command, func(t *testing.T) {
			if err := c.table.Check(); err != nil {
				t.Errorf("the table is not well formed: %v", err)
			}
			help := helpOf[c.command]
			if help == "" {
				t.Fatalf("no help for %q", c.command)
			}
			for _, f := range c.table.Flags() {
				if !strings.Contains(help, "--"+f.Name) {
					t.Errorf("%s --help does not list --%s", c.command, f.Name)
				}
				if f.Kind != settings.KindBool && f.Arg == "" {
					t.Errorf("--%s takes a %s but names no value", f.Name, f.Kind)
				}
			}
		})
	}
	flagLine := regexp.MustCompile(`(?m)^  --([a-z0-9-]+)`)
	for cmd, help := range helpOf {
		if strings.Contains(cmd, " ") {
			continue
		}
		var declared []string
		for _, c := range commandFlags {
			if strings.Fields(c.command)[0] == cmd {
				for _, f := range c.table.Flags() {
					declared = append(declared, f.Name)
				}
			}
		}
		for _, m := range flagLine.FindAllStringSubmatch(help, -1) {
			if !registered[cmd] || !slices.Contains(declared, m[1]) {
				t.Errorf("%s --help shows --%s, which no table in commandFlags declares", cmd, m[1])
			}
		}
	}
	if got := allFlags(); len(got["run"]) < 20 || len(got["serve-reference"]) == 0 {
		t.Errorf("allFlags() = %d run flags, %d serve-reference flags", len(got["run"]), len(got["serve-reference"]))
	}
}
