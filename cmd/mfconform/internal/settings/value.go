package settings

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind is what a setting's value is: how a flag, an environment variable
// and the configuration file spell it, and what shell completion offers.
type Kind string

// The kinds of value a setting can hold.
const (
	KindBool     Kind = "bool"     // a flag without a value; true/false elsewhere
	KindString   Kind = "string"   // one word
	KindInt      Kind = "int"      // a whole number
	KindDuration Kind = "duration" // Go's duration syntax: 90s, 2m
	// KindList is a repeatable flag; the environment separates values with
	// commas and the file writes a sequence. Given on the command line, the
	// flag's values replace the list of the layers below.
	KindList Kind = "list"
	// KindPairs is a repeatable k=v flag; the file writes a mapping.
	KindPairs Kind = "pairs"
	// KindStructured is a configuration-file value with inner structure
	// (a login script): never a flag or an environment variable.
	KindStructured Kind = "structured"
)

// Value binds a setting to the field of C that holds it. Make one with
// String, Bool, Int, Duration, List, Pairs or Structured and refine it with
// the methods of Field.
type Value[C any] interface {
	kind() Kind
	choices() []string
	// newFlag is a flag.Value writing into c.
	newFlag(c *C) flag.Value
	copyTo(dst, src *C)
	setDefault(c *C)
	// setText sets the field from an environment variable's value.
	setText(c *C, s string) error
	// yamlType is the Go type the configuration file's value decodes into.
	yamlType() reflect.Type
	// setYAML sets the field from a decoded value of yamlType.
	setYAML(c *C, v reflect.Value)
	// encode is the field's value for the configuration file: as it is,
	// or as config check shows it (redacted).
	encode(c *C, shown bool) any
	// text is the field's value in one line, as help and the docs show
	// it ("" when it is empty); shown applies the redaction.
	text(c *C, shown bool) string
	check(c *C) error
}

// Field is the Value of a setting whose field has type T.
type Field[C, T any] struct {
	k Kind
	// ptr is where the value lives in C.
	ptr func(*C) *T
	// fold adds one command-line value to what the flag collected so far
	// (a list appends; anything else replaces).
	fold func(old T, s string) (T, error)
	// parseEnv reads an environment variable's value.
	parseEnv func(s string) (T, error)
	format   func(T) string
	def      T
	oneOf    []string
	checks   []func(T) error
	tidy     func(T) T
	redact   func(T) T
}

// Default sets the setting's default value: what it holds before the
// configuration file, the environment and the flags are layered over it.
func (f *Field[C, T]) Default(v T) *Field[C, T] { f.def = v; return f }

// OneOf restricts the value to the given words (and offers them to shell
// completion).
func (f *Field[C, T]) OneOf(words ...string) *Field[C, T] { f.oneOf = words; return f }

// Check adds a validation: fn returns why the value is wrong, beginning
// with the value itself (`"x": want …`); the table prefixes the setting's
// name.
func (f *Field[C, T]) Check(fn func(T) error) *Field[C, T] {
	f.checks = append(f.checks, fn)
	return f
}

// Tidy normalises the value whichever layer set it (e.g. lower-cases host
// names).
func (f *Field[C, T]) Tidy(fn func(T) T) *Field[C, T] { f.tidy = fn; return f }

// Redact is how config check, errors and the docs show the value: URL
// passwords masked, literal form values hidden.
func (f *Field[C, T]) Redact(fn func(T) T) *Field[C, T] { f.redact = fn; return f }

func (f *Field[C, T]) kind() Kind        { return f.k }
func (f *Field[C, T]) choices() []string { return f.oneOf }

func (f *Field[C, T]) set(c *C, v T) {
	if f.tidy != nil {
		v = f.tidy(v)
	}
	*f.ptr(c) = v
}

func (f *Field[C, T]) copyTo(dst, src *C) { f.set(dst, *f.ptr(src)) }
func (f *Field[C, T]) setDefault(c *C)    { f.set(c, clone(f.def)) }

func (f *Field[C, T]) setText(c *C, s string) error {
	v, err := f.parseEnv(s)
	if err != nil {
		return err
	}
	f.set(c, v)
	return nil
}

func (f *Field[C, T]) yamlType() reflect.Type        { return reflect.TypeFor[T]() }
func (f *Field[C, T]) setYAML(c *C, v reflect.Value) { f.set(c, v.Interface().(T)) }

func (f *Field[C, T]) shown(c *C, redact bool) T {
	v := *f.ptr(c)
	if redact && f.redact != nil {
		return f.redact(v)
	}
	return v
}

func (f *Field[C, T]) encode(c *C, shown bool) any  { return f.shown(c, shown) }
func (f *Field[C, T]) text(c *C, shown bool) string { return f.format(f.shown(c, shown)) }

func (f *Field[C, T]) check(c *C) error {
	v := *f.ptr(c)
	if f.oneOf != nil && !slices.Contains(f.oneOf, f.format(v)) {
		return fmt.Errorf("%q: want %s", f.format(f.shown(c, true)), orList(f.oneOf))
	}
	for _, fn := range f.checks {
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// orList is "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// clone copies a default that is a slice or a map, so that no
// configuration shares (and changes) the table's own.
func clone[T any](v T) T {
	switch x := any(v).(type) {
	case []string:
		return any(slices.Clone(x)).(T)
	case map[string]string:
		return any(maps.Clone(x)).(T)
	}
	return v
}

// newFlag is a flag.Value over the field of c. A repeatable flag's first
// value replaces what the field held, so the command line's list replaces
// the default's, the file's and the environment's.
func (f *Field[C, T]) newFlag(c *C) flag.Value {
	v := &flagValue[C, T]{f: f, c: c}
	if f.k == KindBool {
		return boolFlag[C, T]{v}
	}
	return v
}

type flagValue[C, T any] struct {
	f      *Field[C, T]
	c      *C
	folded bool
}

func (v *flagValue[C, T]) String() string {
	if v == nil || v.c == nil {
		return ""
	}
	return v.f.format(*v.f.ptr(v.c))
}

func (v *flagValue[C, T]) Set(s string) error {
	old := *v.f.ptr(v.c)
	if !v.folded {
		var zero T
		old, v.folded = zero, true
	}
	nv, err := v.f.fold(old, s)
	if err != nil {
		return err
	}
	*v.f.ptr(v.c) = nv
	return nil
}

// boolFlag is a flag.Value the flag package lets stand without a value.
type boolFlag[C, T any] struct{ *flagValue[C, T] }

func (boolFlag[C, T]) IsBoolFlag() bool { return true }

// replace makes a fold that ignores what came before.
func replace[T any](parse func(string) (T, error)) func(T, string) (T, error) {
	return func(_ T, s string) (T, error) { return parse(s) }
}

// String binds a string setting.
func String[C any](ptr func(*C) *string) *Field[C, string] {
	id := func(s string) (string, error) { return s, nil }
	return &Field[C, string]{k: KindString, ptr: ptr, fold: replace(id), parseEnv: id, format: func(s string) string { return s }}
}

// Bool binds a true/false setting (a flag without a value).
func Bool[C any](ptr func(*C) *bool) *Field[C, bool] {
	return &Field[C, bool]{k: KindBool, ptr: ptr, fold: replace(parseBool), parseEnv: parseBool, format: func(b bool) string {
		if !b {
			return ""
		}
		return "true"
	}}
}

func parseBool(s string) (bool, error) {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, errors.New("want true or false")
	}
	return b, nil
}

// Int binds a whole-number setting.
func Int[C any](ptr func(*C) *int) *Field[C, int] {
	parse := func(s string) (int, error) {
		n, err := strconv.ParseInt(s, 0, strconv.IntSize)
		if err != nil {
			return 0, errors.New("want a whole number")
		}
		return int(n), nil
	}
	return &Field[C, int]{k: KindInt, ptr: ptr, fold: replace(parse), parseEnv: parse, format: func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}}
}

// Duration binds a duration setting (90s, 2m, 1h30m).
func Duration[C any](ptr func(*C) *time.Duration) *Field[C, time.Duration] {
	parse := func(s string) (time.Duration, error) {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, errors.New("want a duration such as 90s or 2m")
		}
		return d, nil
	}
	return &Field[C, time.Duration]{k: KindDuration, ptr: ptr, fold: replace(parse), parseEnv: parse, format: func(d time.Duration) string {
		if d == 0 {
			return ""
		}
		return d.String()
	}}
}

// List binds a list of strings: a repeatable flag, a comma-separated
// environment variable, a sequence in the file.
func List[C any](ptr func(*C) *[]string) *Field[C, []string] {
	return &Field[C, []string]{k: KindList, ptr: ptr,
		fold:     func(old []string, s string) ([]string, error) { return append(slices.Clip(old), s), nil },
		parseEnv: func(s string) ([]string, error) { return splitList(s), nil },
		format:   func(l []string) string { return strings.Join(l, ",") },
	}
}

// Pairs binds a map of names to values: a repeatable k=v flag, a mapping
// in the file, comma-separated k=v in the environment.
func Pairs[C any](ptr func(*C) *map[string]string) *Field[C, map[string]string] {
	add := func(old map[string]string, s string) (map[string]string, error) {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return old, errors.New("want k=v")
		}
		m := maps.Clone(old)
		if m == nil {
			m = map[string]string{}
		}
		m[k] = v
		return m, nil
	}
	return &Field[C, map[string]string]{k: KindPairs, ptr: ptr, fold: add,
		parseEnv: func(s string) (map[string]string, error) {
			var m map[string]string
			for _, kv := range splitList(s) {
				var err error
				if m, err = add(m, kv); err != nil {
					return nil, err
				}
			}
			return m, nil
		},
		format: func(m map[string]string) string {
			var out []string
			for _, k := range slices.Sorted(maps.Keys(m)) {
				out = append(out, k+"="+m[k])
			}
			return strings.Join(out, ",")
		},
	}
}

// errStructured is what a structured value says to a flag or a variable.
var errStructured = errors.New("only the configuration file can hold this value")

// Structured binds a value with inner structure that only the
// configuration file holds (decoded strictly: unknown keys inside it are
// errors too).
func Structured[C, T any](ptr func(*C) *T) *Field[C, T] {
	fail := func(string) (T, error) {
		var zero T
		return zero, errStructured
	}
	return &Field[C, T]{k: KindStructured, ptr: ptr, fold: replace(fail), parseEnv: fail, format: func(v T) string {
		if rv := reflect.ValueOf(v); !rv.IsValid() || rv.IsZero() || (rv.Kind() == reflect.Slice || rv.Kind() == reflect.Map) && rv.Len() == 0 {
			return ""
		}
		return fmt.Sprint(v)
	}}
}

// splitList splits a comma-separated value, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
