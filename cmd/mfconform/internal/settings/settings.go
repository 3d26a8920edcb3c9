// Package settings declares each setting of a command once, as a row of a
// table — its flag, group, environment variable, configuration-file key,
// default, usage, validation and how it is shown — and derives from the
// table everything that reads or lists settings: the flag.FlagSet, the
// configuration file's schema, the layering defaults < configuration file
// < environment < flags that were set, grouped help, the docs' tables, the
// effective configuration `config check` prints, and the inventory of
// flags shell completion is built from. Adding a setting is adding a row
// (and the field of the configuration struct that holds its value).
//
// The pattern is Ginkgo's types/config.go (one table of flags, each with
// its section and the key path of the value it sets), with typed bindings
// in place of key-path strings so a wrong field is a compile error.
package settings

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/suggest"
)

// Group is a section of a command's help and docs ("target", "network").
type Group string

// Title is the group's name as a heading: "Target".
func (g Group) Title() string {
	if g == "" {
		return ""
	}
	r := []rune(string(g))
	return string(unicode.ToUpper(r[0])) + string(r[1:])
}

// Setting is one row of a command's table: everything there is to know
// about one setting.
type Setting[C any] struct {
	// Flag is the command-line flag, without dashes; "" when the setting
	// is not on the command line.
	Flag string
	// Key is the dotted configuration-file path (jwt.probe_path); "" when
	// the setting is not in the file.
	Key string
	// Env is the environment variable that sets it (read when non-empty).
	Env string
	// Group is the section help and the docs list it under.
	Group Group
	// Arg names the flag's value in help: URL, FILE, HOST=IP.
	Arg string
	// Usage says what the setting does, in one line.
	Usage string
	// DefaultText is shown in place of the default when the default is
	// decided at run time ("mfconform-app.<your domain>").
	DefaultText string
	// CommandLineOnly says why a flag has no configuration-file key: a
	// configuration file is less trusted than the command line, so what
	// chooses a binary, a key file or a key stays there.
	CommandLineOnly string
	// FileOnly says why a configuration-file key has no flag.
	FileOnly string
	// Value binds the setting to its field, with its default and checks.
	Value Value[C]
}

// Name is how messages and help name the setting: its flag, else its
// key, else its variable.
func (s Setting[C]) Name() string {
	switch {
	case s.Flag != "":
		return "--" + s.Flag
	case s.Key != "":
		return s.Key
	}
	return s.Env
}

// Table is every setting of one command, in the order help lists them.
type Table[C any] struct {
	// Command is the command line the table belongs to ("run").
	Command string
	// Groups orders the sections of help and the docs.
	Groups   []Group
	Settings []Setting[C]

	once   sync.Once
	schema *schema
	err    error
}

// Sources says where each setting that left its default came from, by the
// setting's Name: "--mode", "$MFCONFORM_MODE", "staging.yaml line 3".
type Sources map[string]string

// Check reports whether the table is well formed: names unique, every
// flag with a key or a reason to be command-line only, every key with a
// flag or a reason to be file-only, structured values in the file only,
// and every default valid.
func (t *Table[C]) Check() error {
	var errs []error
	seen := map[string]bool{}
	unique := func(what, v string) {
		if v != "" && seen[what+v] {
			errs = append(errs, fmt.Errorf("%s %q is declared twice", what, v))
		}
		seen[what+v] = true
	}
	var defaults C
	t.SetDefaults(&defaults)
	for _, s := range t.Settings {
		unique("flag", s.Flag)
		unique("key", s.Key)
		unique("environment variable", s.Env)
		switch {
		case s.Value == nil:
			errs = append(errs, fmt.Errorf("%s binds no value", s.Name()))
			continue
		case s.Flag == "" && s.Key == "" && s.Env == "":
			errs = append(errs, errors.New("a setting with no flag, key or variable"))
		case s.Usage == "":
			errs = append(errs, fmt.Errorf("%s has no usage", s.Name()))
		case s.Flag != "" && s.Value.kind() == KindStructured:
			errs = append(errs, fmt.Errorf("%s is structured: a configuration-file key, never a flag", s.Name()))
		case s.Env != "" && s.Value.kind() == KindStructured:
			errs = append(errs, fmt.Errorf("%s is structured: never an environment variable", s.Name()))
		case s.Flag != "" && s.Value.kind() != KindBool && s.Arg == "":
			errs = append(errs, fmt.Errorf("%s takes a value but names none (Arg)", s.Name()))
		case s.Key != "" && s.CommandLineOnly != "":
			errs = append(errs, fmt.Errorf("%s has a key and a reason to be command-line only", s.Name()))
		case s.Flag != "" && s.FileOnly != "":
			errs = append(errs, fmt.Errorf("%s has a flag and a reason to be file-only", s.Name()))
		case s.Group != "" && !slices.Contains(t.Groups, s.Group):
			errs = append(errs, fmt.Errorf("%s is in group %q, which the table does not list", s.Name(), s.Group))
		}
		if err := s.Value.check(&defaults); err != nil {
			errs = append(errs, fmt.Errorf("%s: the default is invalid: %v", s.Name(), err))
		}
		if t.HasFile() {
			if s.Flag != "" && s.Key == "" && s.CommandLineOnly == "" {
				errs = append(errs, fmt.Errorf("%s has no configuration-file key and no reason to be command-line only", s.Name()))
			}
			if s.Key != "" && s.Flag == "" && s.FileOnly == "" {
				errs = append(errs, fmt.Errorf("%s has no flag and no reason to be file-only", s.Name()))
			}
		}
	}
	if _, err := t.fileSchema(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// HasFile reports whether the command reads a configuration file: whether
// any setting has a key.
func (t *Table[C]) HasFile() bool {
	return slices.ContainsFunc(t.Settings, func(s Setting[C]) bool { return s.Key != "" })
}

// SetDefaults sets every setting of c to its default.
func (t *Table[C]) SetDefaults(c *C) {
	for _, s := range t.Settings {
		s.Value.setDefault(c)
	}
}

// ApplyEnv layers the environment over c: each setting's variable, when
// set and not empty, replaces its value.
func (t *Table[C]) ApplyEnv(c *C, getenv func(string) string, src Sources) error {
	for _, s := range t.Settings {
		if s.Env == "" {
			continue
		}
		v := getenv(s.Env)
		if v == "" {
			continue
		}
		if err := s.Value.setText(c, v); err != nil {
			return fmt.Errorf("%s: %w", s.Env, err)
		}
		src[s.Name()] = s.Env
	}
	return nil
}

// Validate checks every setting of c and returns the first failure, named
// as the operator wrote it: "--mode", "MFCONFORM_MODE", or "staging.yaml
// line 3: mode".
func (t *Table[C]) Validate(c *C, src Sources) error {
	for _, s := range t.Settings {
		if err := s.Value.check(c); err != nil {
			return fmt.Errorf("%s %w", t.label(s, src), err)
		}
	}
	return nil
}

// Label names the setting with the given flag or key as its value's
// source spells it, for messages about a value.
func (t *Table[C]) Label(name string, src Sources) string {
	for _, s := range t.Settings {
		if s.Name() == name || s.Key == name || s.Flag == name {
			return t.label(s, src)
		}
	}
	return name
}

func (t *Table[C]) label(s Setting[C], src Sources) string {
	from := src[s.Name()]
	switch {
	case from == "" || strings.HasPrefix(from, "--"):
		return s.Name()
	case from == s.Env:
		return s.Env
	default:
		return from + ": " + s.Key
	}
}

// Lookup returns the setting with the given name (flag or key).
func (t *Table[C]) Lookup(name string) (Setting[C], bool) {
	for _, s := range t.Settings {
		if s.Flag == name || s.Key == name {
			return s, true
		}
	}
	return Setting[C]{}, false
}

// FlagSet declares the table's flags over c, which should hold the
// defaults; parsing writes each flag given into c. It writes nothing to
// any output: help comes from the table.
func (t *Table[C]) FlagSet(c *C) *flag.FlagSet {
	fs := flag.NewFlagSet(t.Command, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, s := range t.Settings {
		if s.Flag != "" {
			fs.Var(s.Value.newFlag(c), s.Flag, s.Usage)
		}
	}
	return fs
}

// CommandLine is a parsed command line: the flags' values, held apart
// from the configuration until Apply layers the ones that were set.
type CommandLine[C any] struct {
	t      *Table[C]
	fs     *flag.FlagSet
	values C
}

// Parse parses args against the table's flags. Its errors are the flag
// package's (flag.ErrHelp for -h and --help), an unknown flag's worded by
// FlagError.
func (t *Table[C]) Parse(args []string) (*CommandLine[C], error) {
	cl := &CommandLine[C]{t: t}
	t.SetDefaults(&cl.values)
	cl.fs = t.FlagSet(&cl.values)
	return cl, t.FlagError(cl.fs.Parse(args))
}

// ParseFlags parses args with fs, a flag set FlagSet made, and words an
// unknown flag's error with FlagError.
func (t *Table[C]) ParseFlags(fs *flag.FlagSet, args []string) error {
	return t.FlagError(fs.Parse(args))
}

// unknownFlag is how the flag package begins the error for a flag no
// table declares ("flag provided but not defined: -resolv").
const unknownFlag = "flag provided but not defined: "

// FlagError words a parse error of the table's flags for an operator: a
// flag the table does not declare becomes "unknown flag --resolv (did you
// mean --resolve?)", offering the table's closest flags; any other error
// is returned as it is.
func (t *Table[C]) FlagError(err error) error {
	if err == nil {
		return nil
	}
	name, ok := strings.CutPrefix(err.Error(), unknownFlag)
	if !ok {
		return err
	}
	name = strings.TrimLeft(name, "-")
	var known []string
	for _, f := range t.Flags() {
		known = append(known, f.Name)
	}
	return fmt.Errorf("unknown flag --%s%s", name, suggest.Phrase("--", suggest.Closest(name, known)))
}

// Args are the arguments after the flags.
func (cl *CommandLine[C]) Args() []string { return cl.fs.Args() }

// Set reports whether the flag was given.
func (cl *CommandLine[C]) Set(flagName string) bool {
	set := false
	cl.fs.Visit(func(f *flag.Flag) { set = set || f.Name == flagName })
	return set
}

// Values are the flags' values (the defaults where a flag was not given).
func (cl *CommandLine[C]) Values() *C { return &cl.values }

// Apply layers the flags that were given over dst.
func (cl *CommandLine[C]) Apply(dst *C, src Sources) {
	for _, s := range cl.t.Settings {
		if s.Flag != "" && cl.Set(s.Flag) {
			s.Value.copyTo(dst, &cl.values)
			src[s.Name()] = "--" + s.Flag
		}
	}
}

// FlagInfo describes one flag for help, docs and shell completion.
type FlagInfo struct {
	Name       string   // without dashes
	Kind       Kind     // what its value is
	Arg        string   // the value's placeholder (FILE, DIR, URL…); "" for a bool
	Choices    []string // the only values it takes, when it names them
	Repeatable bool     // it may be given more than once
	Group      Group
	Env        string // the environment variable that also sets it
	Key        string // the configuration-file key that also sets it
	Usage      string
	Default    string // as help shows it; "" when empty
}

// Flags lists the table's flags in help's order, for shell completion and
// did-you-mean.
func (t *Table[C]) Flags() []FlagInfo {
	var defaults C
	t.SetDefaults(&defaults)
	var out []FlagInfo
	for _, s := range t.ordered() {
		if s.Flag == "" {
			continue
		}
		k := s.Value.kind()
		def := s.DefaultText
		if def == "" {
			def = s.Value.text(&defaults, true)
		}
		out = append(out, FlagInfo{
			Name: s.Flag, Kind: k, Arg: s.Arg, Choices: s.Value.choices(),
			Repeatable: k == KindList || k == KindPairs, Group: s.Group,
			Env: s.Env, Key: s.Key, Usage: s.Usage, Default: def,
		})
	}
	return out
}

// ordered is the settings grouped in the table's group order, each group
// in declaration order; settings without a group come last.
func (t *Table[C]) ordered() []Setting[C] {
	var out []Setting[C]
	for _, g := range append(slices.Clone(t.Groups), "") {
		for _, s := range t.Settings {
			if s.Group == g {
				out = append(out, s)
			}
		}
	}
	return out
}
