package settings

import (
	"fmt"
	"slices"
	"strings"
)

// Help lists the table's flags for --help: by group ("Target flags:"),
// each with its value, usage, default and environment variable; then the
// configuration-file keys that have no flag.
func (t *Table[C]) Help() string {
	var b strings.Builder
	var group Group
	started := false
	for _, f := range t.Flags() {
		if !started || f.Group != group {
			if started {
				b.WriteString("\n")
			}
			if f.Group != "" {
				fmt.Fprintf(&b, "%s flags:\n", f.Group.Title())
			}
			group, started = f.Group, true
		}
		b.WriteString(helpLine(f))
	}
	var fileOnly []string
	for _, s := range t.ordered() {
		if s.Flag == "" && s.Key != "" {
			fileOnly = append(fileOnly, s.Key)
		}
	}
	if len(fileOnly) > 0 {
		b.WriteString("\nConfiguration-file keys without a flag (--config FILE):\n")
		b.WriteString(wrap(strings.Join(fileOnly, ", "), "  ", 100))
	}
	return b.String()
}

// wrap breaks text into lines of at most width columns, each indented.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	line := indent
	for _, w := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += w
	}
	return b.String() + line + "\n"
}

// helpLine is one flag: "  --name ARG   usage (default x) [$ENV]".
func helpLine(f FlagInfo) string {
	name := "--" + f.Name
	if f.Arg != "" {
		name += " " + f.Arg
	}
	line := fmt.Sprintf("  %-34s %s", name, f.Usage)
	if f.Default != "" {
		line += fmt.Sprintf(" (default %s)", f.Default)
	}
	if f.Env != "" {
		line += " [$" + f.Env + "]"
	}
	return line + "\n"
}

// Synopsis is the flags in one line, the optional ones in brackets:
// "--targets FILE [--concurrency N] …" with "targets" required.
func (t *Table[C]) Synopsis(required ...string) string {
	var parts []string
	for _, f := range t.Flags() {
		p := "--" + f.Name
		if f.Arg != "" {
			p += " " + f.Arg
		}
		if !slices.Contains(required, f.Name) {
			p = "[" + p + "]"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

// MarkdownFlags is the docs' table of flags, one per group under a bold
// heading; the key and environment columns appear when the command has a
// configuration file or variables.
func (t *Table[C]) MarkdownFlags(heading string) string {
	var b strings.Builder
	withKey, withEnv := t.HasFile(), false
	for _, s := range t.Settings {
		withEnv = withEnv || s.Env != "" && s.Flag != ""
	}
	header := func(title string) {
		if title != "" {
			fmt.Fprintf(&b, "\n**%s**\n\n", title)
		} else {
			b.WriteString("\n")
		}
		cols := []string{heading}
		if withKey {
			cols = append(cols, "config key")
		}
		if withEnv {
			cols = append(cols, "environment")
		}
		cols = append(cols, "meaning", "default")
		b.WriteString("| " + strings.Join(cols, " | ") + " |\n|" + strings.Repeat("---|", len(cols)) + "\n")
	}
	var group Group
	started := false
	for _, f := range t.Flags() {
		if !started || f.Group != group {
			header(f.Group.Title())
			group, started = f.Group, true
		}
		s, _ := t.Lookup(f.Name)
		name := "--" + f.Name
		if f.Arg != "" {
			name += " " + f.Arg
		}
		cells := []string{code(name)}
		if withKey {
			key := code(f.Key)
			if f.Key == "" {
				key = "command line only: " + MarkdownCell(s.CommandLineOnly)
			}
			cells = append(cells, key)
		}
		if withEnv {
			cells = append(cells, code(f.Env))
		}
		cells = append(cells, MarkdownCell(f.Usage), code(f.Default))
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return b.String()
}

// MarkdownFileOnly is the docs' table of configuration-file keys that
// have no flag.
func (t *Table[C]) MarkdownFileOnly() string {
	var defaults C
	t.SetDefaults(&defaults)
	var b strings.Builder
	b.WriteString("| config key | meaning | default |\n|---|---|---|\n")
	for _, s := range t.ordered() {
		if s.Flag != "" || s.Key == "" {
			continue
		}
		def := s.DefaultText
		if def == "" {
			def = s.Value.text(&defaults, true)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", code(s.Key), MarkdownCell(s.Usage), code(def))
	}
	return b.String()
}

// EnvVar is an environment variable that sets a setting.
type EnvVar struct {
	Name    string // MFCONFORM_MODE
	Setting string // the setting's name: --mode
	Usage   string
}

// EnvVars lists the table's environment variables in help's order.
func (t *Table[C]) EnvVars() []EnvVar {
	var out []EnvVar
	for _, s := range t.ordered() {
		if s.Env != "" {
			out = append(out, EnvVar{Name: s.Env, Setting: s.Name(), Usage: s.Usage})
		}
	}
	return out
}

// MarkdownCell escapes text for a Markdown table cell: pipes, and angle
// brackets a renderer would read as HTML.
func MarkdownCell(s string) string {
	return strings.NewReplacer("|", "\\|", "<", "\\<", ">", "\\>").Replace(s)
}

// code is s as inline code, "" for "".
func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(s, "|", "\\|") + "`"
}
