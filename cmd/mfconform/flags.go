package main

import (
	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/cmd/mfconform/internal/settings"
)

// flagTable is what help, the docs and completion need of a command's
// settings table (a *settings.Table of any configuration type).
type flagTable interface {
	Help() string
	Synopsis(required ...string) string
	Flags() []settings.FlagInfo
	Check() error
}

// commandFlags lists every command that takes flags with its table, in
// help's order: the one inventory shell completion and did-you-mean start
// from. A command with flags that is missing here fails TestCommandFlags.
var commandFlags = []struct {
	command string // as typed after mfconform
	table   flagTable
}{
	{"run", runner.Settings},
	{"run --targets", batchSettings},
	{"config check", runner.Settings},
	{"serve-reference", serveSettings},
	{"exporter", exporterSettings},
	{"report", reportSettings},
	{"specs", specsSettings},
	{"docs", docsSettings},
}

// allFlags maps each command to its flags: name, value kind, placeholder,
// choices, whether it repeats.
func allFlags() map[string][]settings.FlagInfo {
	out := map[string][]settings.FlagInfo{}
	for _, c := range commandFlags {
		out[c.command] = c.table.Flags()
	}
	return out
}
