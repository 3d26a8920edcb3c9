package result

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// FileError is a problem with a file the operator named (a waivers,
// configuration or targets file): where it is and what shape was wanted,
// never a byte of the file. A file named by mistake — /etc/shadow, a key,
// a .env — must not have its content printed into the console, a CI log
// or a report; the YAML library's own messages quote it ("field root:$y$…
// not found"), so they are never passed on.
type FileError struct {
	// Name is the file as the operator named it (cleaned).
	Name string
	// Line and Column are 1-based; 0 when not known.
	Line, Column int
	// Problem says what is wrong, in mfconform's words only.
	Problem string
	// Want is the shape expected there.
	Want string
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.Name)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": " + e.Problem)
	if e.Want != "" {
		b.WriteString("; want " + e.Want)
	}
	return b.String()
}

// YAMLDoc is a decoded YAML file's node tree, kept for the positions of
// what the caller checks after decoding.
type YAMLDoc struct{ root *yaml.Node }

// Item returns the line and column of entry i of the list under the
// top-level key, or 0, 0.
func (d YAMLDoc) Item(key string, i int) (line, column int) {
	n := d.root
	for n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return 0, 0
	}
	for k := 0; k+1 < len(n.Content); k += 2 {
		if n.Content[k].Value == key {
			list := n.Content[k+1]
			if list.Kind == yaml.SequenceNode && i < len(list.Content) {
				return list.Content[i].Line, list.Content[i].Column
			}
		}
	}
	return 0, 0
}

// ParseYAMLDoc parses b for positions only (Line); a file that does not
// parse has none.
func ParseYAMLDoc(b []byte) YAMLDoc {
	var root yaml.Node
	if yaml.Unmarshal(b, &root) != nil {
		return YAMLDoc{}
	}
	return YAMLDoc{root: &root}
}

// Line returns the line and column of the node at path — mapping keys
// (strings) and list indices (ints) from the top, aliases followed and
// merge keys (<<) searched — or 0, 0 when there is none. A key's position
// is its value's, a list entry's its own.
func (d YAMLDoc) Line(path ...any) (line, column int) {
	n := d.root
	for n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	for _, p := range path {
		n = child(n, p, 0)
		if n == nil {
			return 0, 0
		}
	}
	if n == nil || n == d.root {
		return 0, 0
	}
	return n.Line, n.Column
}

// child is the node under n at p: a mapping's value for key p (string),
// a list's entry p (int).
func child(n *yaml.Node, p any, depth int) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || depth > maxDepth {
		return nil
	}
	switch k := p.(type) {
	case int:
		if n.Kind == yaml.SequenceNode && k >= 0 && k < len(n.Content) {
			return n.Content[k]
		}
	case string:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k && n.Content[i].Tag != "!!merge" {
				return n.Content[i+1]
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Tag != "!!merge" {
				continue
			}
			merged := []*yaml.Node{n.Content[i+1]}
			if v := n.Content[i+1]; v.Kind == yaml.SequenceNode {
				merged = v.Content
			}
			for _, m := range merged {
				if c := child(m, p, depth+1); c != nil {
					return c
				}
			}
		}
	}
	return nil
}

// Errorf is a *FileError at entry i of the list under key.
func (d YAMLDoc) Errorf(name, key string, i int, want, format string, args ...any) *FileError {
	line, col := d.Item(key, i)
	return &FileError{Name: Clean(name), Line: line, Column: col, Problem: fmt.Sprintf(format, args...), Want: want}
}

// DecodeYAML decodes the YAML file name (its bytes b) into v, which holds
// the defaults, refusing keys v has no field for. An error is a
// *FileError that holds the file's name, the line and column, what is
// wrong and the shape wanted (want for the file as a whole, the allowed
// keys for an unknown key) — and nothing of the file's content. An empty
// file decodes to v unchanged.
func DecodeYAML(name string, b []byte, v any, want string) (YAMLDoc, error) {
	name = Clean(name)
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return YAMLDoc{}, YAMLSyntaxError(name, err, want)
	}
	doc := YAMLDoc{root: &root}
	if root.Kind == 0 {
		return doc, nil // empty
	}
	if fe := checkShape(&root, reflect.TypeOf(v), 0); fe != nil {
		fe.Name = name
		if fe.Want == "" {
			fe.Want = want
		}
		return doc, fe
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return doc, YAMLDecodeError(name, &root, err, want)
	}
	return doc, nil
}

// YAMLSyntaxError is the *FileError of a file the YAML library could not
// parse: its line and, when they are one of libyaml's fixed texts, its
// words — nothing of the file.
func YAMLSyntaxError(name string, err error, want string) *FileError {
	return &FileError{Name: Clean(name), Line: errorLine(err.Error()), Problem: syntaxProblem(err.Error()), Want: want}
}

// YAMLDecodeError is the *FileError of a parsed file (root) whose values
// the YAML library could not decode: the line and column of the first
// value it refused and the kind wanted there — never the value, which the
// library's own message quotes.
func YAMLDecodeError(name string, root *yaml.Node, err error, want string) *FileError {
	fe := &FileError{Name: Clean(name), Problem: "a value mfconform cannot read", Want: want}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg := te.Errors[0]
		fe.Line = errorLine(msg)
		// The library's messages quote the file; only their kind is kept.
		switch m := intoType.FindStringSubmatch(msg); {
		case m != nil:
			fe.Problem, fe.Want = "a value of the wrong kind", kindWanted(m[1])
		case strings.Contains(msg, " not found in type "):
			fe.Problem = "an unknown key"
		case strings.Contains(msg, " already defined at line "):
			fe.Problem = "a key given twice"
			if m := definedAt.FindStringSubmatch(msg); m != nil {
				fe.Problem += " (first at line " + m[1] + ")"
			}
		}
	} else {
		fe.Line = errorLine(err.Error())
	}
	fe.Column = valueColumn(root, fe.Line)
	return fe
}

var (
	lineOf   = regexp.MustCompile(`\bline (\d+):`)
	intoType = regexp.MustCompile(` into (\S+)$`)
	// definedAt is where yaml.v3 says a repeated key was first given.
	definedAt = regexp.MustCompile(`already defined at line (\d+)$`)
	// plainProblem is a libyaml problem made of words only, optionally
	// naming one punctuation character ("could not find expected ':'"):
	// libyaml's fixed texts. Anything else (an anchor's name, a value)
	// could be the file's and is not shown.
	plainProblem = regexp.MustCompile(`^[a-z][a-z ,]*( '[^A-Za-z0-9\s]')?( [a-z ,]+)?$`)
)

// errorLine is the line a YAML error names, or 0.
func errorLine(msg string) int {
	if m := lineOf.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// syntaxProblem is "not valid YAML", with libyaml's own words when they
// are one of its fixed texts.
func syntaxProblem(msg string) string {
	p := strings.TrimPrefix(msg, "yaml: ")
	if i := lineOf.FindStringIndex(p); i != nil && i[0] == 0 {
		p = strings.TrimSpace(p[i[1]:])
	}
	if plainProblem.MatchString(p) {
		return "not valid YAML (" + p + ")"
	}
	return "not valid YAML"
}

// kindWanted describes a Go type the YAML library could not decode into,
// in an operator's words.
func kindWanted(goType string) string {
	switch {
	case goType == "time.Duration":
		return "a duration such as 30s or 2m"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "string":
		return "a single value (text)"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	}
	return "a mapping of the keys documented in docs/cli.md"
}

// valueColumn is the column of the first plain value on line (a
// mapping's value or a list's entry), or 0.
func valueColumn(n *yaml.Node, line int) int {
	best := 0
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > maxDepth {
			return
		}
		for i, c := range n.Content {
			isKey := n.Kind == yaml.MappingNode && i%2 == 0
			if c.Kind == yaml.ScalarNode && c.Line == line && !isKey && (best == 0 || c.Column < best) {
				best = c.Column
			}
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return best
}

// maxDepth bounds the shape check's recursion (a file is a few levels
// deep; an alias loop is not followed forever).
const maxDepth = 64

var (
	unmarshalerType     = reflect.TypeFor[yaml.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	durationType        = reflect.TypeFor[time.Duration]()
)

// checkShape compares the node tree with the Go type it decodes into, so a
// key or a kind that does not fit is reported with its position and
// without its text: each mapping's keys must be fields of the struct
// (their YAML names), a struct or map needs a mapping, a list a sequence,
// a plain value a scalar. Values themselves are left to the decoder.
func checkShape(n *yaml.Node, t reflect.Type, depth int) *FileError {
	if n == nil || t == nil || depth > maxDepth {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return checkShape(n.Content[0], t, depth+1)
	case yaml.AliasNode:
		return checkShape(n.Alias, t, depth+1)
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return nil
	}
	at := func(n *yaml.Node, problem, want string) *FileError {
		return &FileError{Line: n.Line, Column: n.Column, Problem: problem, Want: want}
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return at(n, kindName(n)+" where a mapping belongs", "key: value lines with the keys "+strings.Join(yamlKeys(t), ", "))
		}
		fields := yamlFields(t)
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if k.Kind != yaml.ScalarNode || !ok {
				return at(k, "unknown key", "one of "+strings.Join(yamlKeys(t), ", "))
			}
			if first, dup := seen[k.Value]; dup {
				return at(k, fmt.Sprintf("a key given twice (first on line %d)", first), "each key once")
			}
			seen[k.Value] = k.Line
			if fe := checkShape(v, ft, depth+1); fe != nil {
				return fe
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return at(n, kindName(n)+" where a mapping belongs", "key: value lines")
		}
		for i := 1; i < len(n.Content); i += 2 {
			if fe := checkShape(n.Content[i], t.Elem(), depth+1); fe != nil {
				return fe
			}
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return at(n, kindName(n)+" where a list belongs", "a list (lines starting with -, or [a, b])")
		}
		for _, c := range n.Content {
			if fe := checkShape(c, t.Elem(), depth+1); fe != nil {
				return fe
			}
		}
	case reflect.Interface:
	default:
		if n.Kind != yaml.ScalarNode {
			want := "a single value"
			if t == durationType {
				want = kindWanted("time.Duration")
			} else if k := kindWanted(t.Kind().String()); k != kindWanted("") {
				want = k
			}
			return at(n, kindName(n)+" where a single value belongs", want)
		}
	}
	return nil
}

// kindName names a node's kind: "a mapping", "a list", "a value".
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a value"
}

// yamlFields maps the YAML key of each field of struct t (inline structs
// flattened, "-" skipped, unexported ignored) to its type.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		if slices.Contains(strings.Split(opts, ","), "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range yamlFields(ft) {
					out[k] = v
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name) // the YAML library's default
		}
		out[name] = f.Type
	}
	return out
}

// yamlKeys lists struct t's YAML keys, sorted.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for k := range yamlFields(t) {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
