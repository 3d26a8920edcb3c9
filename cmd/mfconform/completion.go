package main

import (
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/cmd/mfconform/internal/settings"
)

const completionHelp = `Usage: mfconform completion bash|zsh|fish

Prints a shell completion script for mfconform's commands, their flags, the
values a flag takes (--mode, --fail-on, --color, fixture names for --fixture,
files for FILE and folders for DIR), the codes and spec IDs explain takes.
It is generated from the same flag tables as --help. Load it with:

  bash:  source <(mfconform completion bash)     (or save it in ~/.local/share/bash-completion/completions/mfconform)
  zsh:   source <(mfconform completion zsh)      (or save it as _mfconform in a folder of $fpath)
  fish:  mfconform completion fish | source      (or save it as ~/.config/fish/completions/mfconform.fish)
`

// completionShells are the shells completion writes a script for.
var completionShells = map[string]func(io.Writer, []compCommand){
	"bash": writeBash,
	"zsh":  writeZsh,
	"fish": writeFish,
}

// completionCmd is `mfconform completion bash|zsh|fish`.
func completionCmd(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("%w: completion bash|zsh|fish", errUsage)
	}
	write, ok := completionShells[args[0]]
	if !ok {
		return fmt.Errorf("%w: completion: no shell %q: want bash, zsh or fish", errUsage, args[0])
	}
	write(stdout, compCommands())
	return nil
}

// commandSummaries are mfconform's commands in help's order, each with
// the line completion shows beside it and, for a command that takes one,
// its subcommands. TestCompletionKnowsEveryCommand keeps it whole.
var commandSummaries = []struct {
	name, summary string
	subs          []string
}{
	{"run", "check a deployment (or many with --targets FILE)", nil},
	{"config", "validate the configuration as run does and print it", []string{"check"}},
	{"specs", "list every spec", nil},
	{"fixtures", "list the reference deployment's fixtures", nil},
	{"serve-reference", "serve the reference deployment until Ctrl-C", nil},
	{"exporter", "probe configured deployments for Prometheus (/probe?target=NAME)", nil},
	{"inspect", "decode and check a token", nil},
	{"explain", "explain a diagnostic code or a spec", nil},
	{"report", "render a report again from its report.json", nil},
	{"docs", "regenerate the generated sections of README.md and docs/*.md", nil},
	{"bundles", "fetch and build the pinned browser bundles", []string{"install"}},
	{"completion", "print a shell completion script", nil},
	{"version", "print the version", nil},
	{"help", "help for a command", nil},
}

// valueKind is what a flag's value or a positional argument completes to.
type valueKind int

const (
	valueFree  valueKind = iota // anything: nothing to offer
	valueWords                  // one of a list of words
	valueFile                   // a file
	valueDir                    // a folder
)

// compValue is a flag's value or a command's positional argument.
type compValue struct {
	kind  valueKind
	words []string
	// what names the value in zsh's message: FILE, MODE, CODE.
	what string
}

// compFlag is one flag of a command, for completion.
type compFlag struct {
	name, usage string
	bool        bool // takes no value
	repeatable  bool
	value       compValue
}

// compCommand is a command (with its subcommand: "config check") and
// everything completion offers after it.
type compCommand struct {
	name, sub, summary string
	flags              []compFlag
	// args is what its positional arguments complete to (nil: none).
	args *compValue
}

// path is the command as typed: "run", "config check".
func (c compCommand) path() string { return strings.TrimSpace(c.name + " " + c.sub) }

// compCommands builds completion's model from the commands' flag tables
// (commandFlags; a batch's flags are run's too) and what each command's
// positional arguments are.
func compCommands() []compCommand {
	flags := map[string][]compFlag{}
	for _, c := range commandFlags {
		path := c.command
		if path == "run --targets" {
			path = "run"
		}
		for _, f := range c.table.Flags() {
			if !slices.ContainsFunc(flags[path], func(x compFlag) bool { return x.name == f.Name }) {
				flags[path] = append(flags[path], newCompFlag(f))
			}
		}
	}
	var names []string
	for _, c := range commandSummaries {
		names = append(names, c.name)
	}
	args := map[string]*compValue{
		"explain":         {kind: valueWords, words: append(runner.Codes(), runner.SpecIDs()...), what: "CODE or SPEC-ID"},
		"help":            {kind: valueWords, words: names, what: "COMMAND"},
		"completion":      {kind: valueWords, words: slices.Sorted(maps.Keys(completionShells)), what: "SHELL"},
		"docs":            {kind: valueFile, what: "FILE"},
		"bundles install": {kind: valueDir, what: "DIR"},
	}
	var out []compCommand
	for _, c := range commandSummaries {
		subs := c.subs
		if subs == nil {
			subs = []string{""}
		}
		for _, sub := range subs {
			cc := compCommand{name: c.name, sub: sub, summary: c.summary}
			cc.flags = append(flags[cc.path()], compFlag{name: "help", usage: "show the command's help", bool: true})
			cc.args = args[cc.path()]
			out = append(out, cc)
		}
	}
	return out
}

// newCompFlag is what completion offers for a flag: the words it takes
// (its choices; fixture names for --fixture), a file for FILE and BINARY,
// a folder for DIR, else nothing.
func newCompFlag(f settings.FlagInfo) compFlag {
	cf := compFlag{name: f.Name, usage: f.Usage, bool: f.Kind == settings.KindBool, repeatable: f.Repeatable}
	cf.value = compValue{what: f.Arg}
	switch {
	case cf.bool:
	case len(f.Choices) > 0:
		cf.value.kind, cf.value.words = valueWords, f.Choices
	case f.Name == "fixture":
		cf.value.kind, cf.value.words = valueWords, runner.FixtureNames()
	case f.Arg == "FILE" || f.Arg == "BINARY":
		cf.value.kind = valueFile
	case f.Arg == "DIR":
		cf.value.kind = valueDir
	}
	return cf
}

// safeWord is what a word completion offers may hold: it is written into
// the scripts unquoted inside single quotes.
var safeWord = regexp.MustCompile(`^[A-Za-z0-9_.:/+=-]+$`)

// words joins words for a script, refusing any that would need quoting
// (a programming error TestCompletionScripts catches).
func words(ws []string) string {
	for _, w := range ws {
		if !safeWord.MatchString(w) {
			panic(fmt.Sprintf("completion: %q cannot be offered unquoted", w))
		}
	}
	return strings.Join(ws, " ")
}

// short is a usage line cut to a short description, without the
// characters a script's quoting or zsh's option specs would read.
func short(usage string) string {
	s := usage
	for _, cut := range []string{" (", "; ", ", e.g.", ": "} {
		if i := strings.Index(s, cut); i > 0 {
			s = s[:i]
		}
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\'', '"', '`', '\\', '$', '[', ']', ':', '\n', '\t':
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 70 {
		s = string(r[:69]) + "…"
	}
	return strings.Join(strings.Fields(s), " ")
}

// writeBash writes the bash script: one function that finds the command
// (and subcommand), then completes the value of the flag before the
// cursor (--flag VALUE and --flag=VALUE), else a flag, else the
// command's positional argument.
func writeBash(w io.Writer, cmds []compCommand) {
	var top []string
	subs := map[string][]string{}
	for _, c := range cmds {
		if !slices.Contains(top, c.name) {
			top = append(top, c.name)
		}
		if c.sub != "" {
			subs[c.name] = append(subs[c.name], c.sub)
		}
	}
	fmt.Fprintf(w, `# bash completion for mfconform, generated by `+"`mfconform completion bash`"+` from its flag tables.
# Load it with: source <(mfconform completion bash)

_mfconform_words() {
    local IFS=$' \t\n'
    COMPREPLY=( $(compgen -W "$1" -- "$2") )
}

_mfconform_files() {
    local IFS=$'\n'
    compopt -o filenames 2>/dev/null
    COMPREPLY=( $(compgen -f -- "$1") )
}

_mfconform_dirs() {
    local IFS=$'\n'
    compopt -o filenames 2>/dev/null
    COMPREPLY=( $(compgen -d -- "$1") )
}

_mfconform() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="" flag="" pre="" path
    COMPREPLY=()
    (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"
    # --flag=VALUE: "=" splits the word (the default COMP_WORDBREAKS) or not.
    if [[ $cur == "=" ]]; then
        flag=$prev cur=""
    elif [[ $prev == "=" ]] && (( COMP_CWORD > 2 )); then
        flag="${COMP_WORDS[COMP_CWORD-2]}"
    elif [[ $cur == --*=* ]]; then
        flag="${cur%%%%=*}" pre="${cur%%%%=*}=" cur="${cur#*=}"
    else
        flag=$prev
    fi
    if (( COMP_CWORD == 1 )); then
        _mfconform_words '%s' "$cur"
        return 0
    fi
    path="${COMP_WORDS[1]}"
    case $path in
`, words(top))
	for _, name := range top {
		if len(subs[name]) == 0 {
			continue
		}
		fmt.Fprintf(w, `    %s)
        if (( COMP_CWORD == 2 )); then
            _mfconform_words '%s' "$cur"
            return 0
        fi
        path="$path ${COMP_WORDS[2]}" ;;
`, name, words(subs[name]))
	}
	fmt.Fprint(w, "    esac\n    case $path in\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "    '%s')\n", c.path())
		byKind := map[string][]string{}
		var order []string
		for _, f := range c.flags {
			if f.bool {
				continue
			}
			action := "return 0"
			switch f.value.kind {
			case valueWords:
				action = fmt.Sprintf("_mfconform_words '%s' \"$cur\"", words(f.value.words))
			case valueFile:
				action = `_mfconform_files "$cur"`
			case valueDir:
				action = `_mfconform_dirs "$cur"`
			}
			if _, ok := byKind[action]; !ok {
				order = append(order, action)
			}
			byKind[action] = append(byKind[action], "--"+f.name)
		}
		if len(order) > 0 {
			fmt.Fprint(w, "        case $flag in\n")
		}
		for _, action := range order {
			fmt.Fprintf(w, "            %s)\n", strings.Join(byKind[action], "|"))
			if action != "return 0" {
				// A value typed as --flag=VALUE in one word keeps its --flag=.
				fmt.Fprintf(w, "                %s\n                [[ -n $pre ]] && COMPREPLY=( \"${COMPREPLY[@]/#/$pre}\" )\n", action)
			}
			fmt.Fprint(w, "                return 0 ;;\n")
		}
		if len(order) > 0 {
			fmt.Fprint(w, "        esac\n")
		}
		var fl []string
		for _, f := range c.flags {
			fl = append(fl, "--"+f.name)
		}
		fmt.Fprintf(w, "        if [[ $cur == -* ]]; then\n            _mfconform_words '%s' \"$cur\"\n            return 0\n        fi\n", words(fl))
		if a := c.args; a != nil {
			switch a.kind {
			case valueWords:
				fmt.Fprintf(w, "        _mfconform_words '%s' \"$cur\"\n", words(a.words))
			case valueFile:
				fmt.Fprint(w, "        _mfconform_files \"$cur\"\n")
			case valueDir:
				fmt.Fprint(w, "        _mfconform_dirs \"$cur\"\n")
			}
		}
		fmt.Fprint(w, "        ;;\n")
	}
	fmt.Fprint(w, "    esac\n    return 0\n}\n\ncomplete -F _mfconform mfconform\n")
}

// writeZsh writes the zsh script: the commands with their summaries, then
// per command an _arguments spec of its flags (each with its description
// and what its value completes to) and positional argument.
func writeZsh(w io.Writer, cmds []compCommand) {
	fmt.Fprint(w, `#compdef mfconform
# zsh completion for mfconform, generated by `+"`mfconform completion zsh`"+` from its flag tables.
# Load it with: source <(mfconform completion zsh)   (or save it as _mfconform in a folder of $fpath)

_mfconform() {
  local -a cmds
  cmds=(
`)
	var seen []string
	for _, c := range cmds {
		if !slices.Contains(seen, c.name) {
			seen = append(seen, c.name)
			fmt.Fprintf(w, "    '%s:%s'\n", c.name, short(c.summary))
		}
	}
	fmt.Fprint(w, `  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'mfconform command' cmds
    return
  fi
  local cmd=$words[2]
  shift words
  (( CURRENT-- ))
  case $cmd in
`)
	subs := map[string][]string{}
	for _, c := range cmds {
		if c.sub != "" {
			subs[c.name] = append(subs[c.name], c.sub)
		}
	}
	for _, name := range seen {
		if len(subs[name]) == 0 {
			continue
		}
		fmt.Fprintf(w, `    (%s)
      if (( CURRENT == 2 )); then
        compadd -- %s
        return
      fi
      cmd="$cmd $words[2]"
      shift words
      (( CURRENT-- )) ;;
`, name, words(subs[name]))
	}
	fmt.Fprint(w, "  esac\n  case $cmd in\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "    ('%s')\n      _arguments -s", c.path())
		for _, f := range c.flags {
			spec := "--" + f.name
			if f.repeatable {
				spec = "*" + spec
			}
			desc := short(f.usage)
			if f.bool {
				fmt.Fprintf(w, " \\\n        '%s[%s]'", spec, desc)
				continue
			}
			fmt.Fprintf(w, " \\\n        '%s=[%s]:%s:%s'", spec, desc, zshMessage(f.value), zshAction(f.value))
		}
		if a := c.args; a != nil {
			fmt.Fprintf(w, " \\\n        '*:%s:%s'", zshMessage(*a), zshAction(*a))
		}
		fmt.Fprint(w, " ;;\n")
	}
	fmt.Fprint(w, `  esac
}

if [[ $funcstack[1] == _mfconform ]]; then
  _mfconform "$@"
else
  compdef _mfconform mfconform
fi
`)
}

func zshMessage(v compValue) string {
	if v.what == "" {
		return "value"
	}
	return short(v.what)
}

// zshAction is what an _arguments spec completes a value with.
func zshAction(v compValue) string {
	switch v.kind {
	case valueWords:
		return "(" + words(v.words) + ")"
	case valueFile:
		return "_files"
	case valueDir:
		return "_files -/"
	}
	return " "
}

// writeFish writes the fish script: one complete line per command, per
// subcommand and per flag, each flag limited to its command.
func writeFish(w io.Writer, cmds []compCommand) {
	fmt.Fprint(w, `# fish completion for mfconform, generated by `+"`mfconform completion fish`"+` from its flag tables.
# Load it with: mfconform completion fish | source

# __mfconform_is CMD [SUB]: the command line is mfconform CMD [SUB] ….
function __mfconform_is
    set -l toks (commandline -opc)
    test (count $toks) -ge 2; or return 1
    test "$toks[2]" = "$argv[1]"; or return 1
    test (count $argv) -lt 2; and return 0
    test (count $toks) -ge 3; and test "$toks[3]" = "$argv[2]"
end

# __mfconform_at N: the cursor is on the command line's N-th word.
function __mfconform_at
    test (count (commandline -opc)) -eq (math $argv[1] - 1)
end

complete -c mfconform -f
`)
	var seen []string
	for _, c := range cmds {
		if !slices.Contains(seen, c.name) {
			seen = append(seen, c.name)
			fmt.Fprintf(w, "complete -c mfconform -n '__mfconform_at 2' -a %s -d '%s'\n", c.name, short(c.summary))
		}
		if c.sub != "" {
			fmt.Fprintf(w, "complete -c mfconform -n '__mfconform_is %s; and __mfconform_at 3' -a %s\n", c.name, c.sub)
		}
	}
	for _, c := range cmds {
		cond := "__mfconform_is " + c.path()
		for _, f := range c.flags {
			line := fmt.Sprintf("complete -c mfconform -n '%s' -l %s", cond, f.name)
			if !f.bool {
				switch f.value.kind {
				case valueWords:
					line += fmt.Sprintf(" -x -a '%s'", words(f.value.words))
				case valueFile:
					line += " -r -F"
				case valueDir:
					line += " -x -a '(__fish_complete_directories)'"
				default:
					line += " -x"
				}
			}
			fmt.Fprintf(w, "%s -d '%s'\n", line, short(f.usage))
		}
		if a := c.args; a != nil {
			line := fmt.Sprintf("complete -c mfconform -n '%s'", cond)
			switch a.kind {
			case valueWords:
				line += fmt.Sprintf(" -a '%s'", words(a.words))
			case valueFile:
				line += " -F"
			case valueDir:
				line += " -a '(__fish_complete_directories)'"
			}
			fmt.Fprintln(w, line)
		}
	}
}
