package main

import (
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Bounds of the GitHub Action's args input.
const (
	maxActionArgsText = 64 << 10
	maxActionArgs     = 200
)

// actionArgsCmd is `mfconform action-args`, the GitHub Action's reader of
// its args input (scripts/action.sh): the text on standard input is a
// YAML list of strings, or one argument a line; it prints each argument
// followed by a NUL byte, for bash to read into an array. Nothing is ever
// split on spaces or run through a shell: "--probe-path=/api/me me" stays
// one argument.
func actionArgsCmd(in io.Reader, stdout io.Writer) error {
	b, err := io.ReadAll(io.LimitReader(in, maxActionArgsText+1))
	if err != nil {
		return fmt.Errorf("action args: %w", err)
	}
	if len(b) > maxActionArgsText {
		return fmt.Errorf("%w: action args: the args input is larger than %d bytes", errUsage, maxActionArgsText)
	}
	args, err := ParseActionArgs(string(b))
	if err != nil {
		return fmt.Errorf("%w: action args: %w", errUsage, err)
	}
	for _, a := range args {
		fmt.Fprintf(stdout, "%s\x00", a)
	}
	return nil
}

// ParseActionArgs reads the Action's args input: a YAML list — block
// ("- --thorough" lines) or flow (["--thorough", "--probe-path=/me"]) — of
// scalars, each one argument as YAML reads it; otherwise one argument per
// line, the line's surrounding blanks trimmed, blank lines and lines
// starting with # (comments) skipped. An
// argument holding a NUL, a line break in a list item or a nested value
// is refused.
func ParseActionArgs(text string) ([]string, error) {
	var out []string
	if isYAMLList(text) {
		var list []yaml.Node
		if err := yaml.Unmarshal([]byte(text), &list); err != nil {
			return nil, fmt.Errorf("the args input looks like a YAML list but does not parse as one: %v", firstLineOf(err.Error()))
		}
		for i, n := range list {
			if n.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("item %d of the args list is not a plain value (a list or a map): want one argument per item", i+1)
			}
			if strings.ContainsAny(n.Value, "\n\r") {
				return nil, fmt.Errorf("item %d of the args list holds a line break: want one argument per item", i+1)
			}
			out = append(out, n.Value)
		}
	} else {
		for _, line := range strings.Split(text, "\n") {
			if a := strings.Trim(line, " \t\r"); a != "" && !strings.HasPrefix(a, "#") {
				out = append(out, a)
			}
		}
	}
	if len(out) > maxActionArgs {
		return nil, fmt.Errorf("%d arguments: at most %d", len(out), maxActionArgs)
	}
	for i, a := range out {
		if strings.IndexByte(a, 0) >= 0 {
			return nil, fmt.Errorf("argument %d holds a NUL byte", i+1)
		}
	}
	return out, nil
}

// isYAMLList reports whether the args input is written as a YAML list:
// its first line that is not blank or a comment starts a block sequence
// item ("- x", or "-" alone) or a flow sequence ("[").
func isYAMLList(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		l := strings.Trim(line, " \t\r")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		return l == "-" || strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "-\t") || strings.HasPrefix(l, "[")
	}
	return false
}

func firstLineOf(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}
