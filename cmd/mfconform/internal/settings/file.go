package settings

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mfconform/mfconform/suites/result"
)

// schema is the configuration file's shape, derived from the table's keys:
// a tree of sections whose leaves are settings, and a Go struct type built
// from the tree (reflect.StructOf, each leaf a pointer so that a key that
// is absent is told from one set to its zero value) that yaml.v3 decodes
// strictly. Decoding into a type made from the table, rather than into the
// configuration struct's own tags, is what keeps each key declared once.
type schema struct {
	root *section
	typ  reflect.Type
}

// section is a mapping of the file: its keys in declaration order, each a
// setting (leaf >= 0, its index in the table) or a nested section.
type section struct {
	path  string // "" for the top level
	names []string
	kids  map[string]*section
	leaf  map[string]int
	// index is the field path of each leaf, by its index in the table.
	index map[int][]int
}

func (t *Table[C]) fileSchema() (*schema, error) {
	t.once.Do(func() { t.schema, t.err = t.buildSchema() })
	return t.schema, t.err
}

func (t *Table[C]) buildSchema() (*schema, error) {
	root := &section{kids: map[string]*section{}, leaf: map[string]int{}, index: map[int][]int{}}
	for i, s := range t.Settings {
		if s.Key == "" {
			continue
		}
		parts := strings.Split(s.Key, ".")
		sec := root
		for j, p := range parts[:len(parts)-1] {
			if _, ok := sec.leaf[p]; ok {
				return nil, fmt.Errorf("key %s: %s is a setting, not a section", s.Key, strings.Join(parts[:j+1], "."))
			}
			next, ok := sec.kids[p]
			if !ok {
				next = &section{path: strings.Join(parts[:j+1], "."), kids: map[string]*section{}, leaf: map[string]int{}}
				sec.kids[p] = next
				sec.names = append(sec.names, p)
			}
			sec = next
		}
		name := parts[len(parts)-1]
		if _, ok := sec.kids[name]; ok {
			return nil, fmt.Errorf("key %s is a section too", s.Key)
		}
		if !validKey.MatchString(name) {
			return nil, fmt.Errorf("key %s: want lower-case words joined by _", s.Key)
		}
		sec.leaf[name] = i
		sec.names = append(sec.names, name)
	}
	typ := structType(root, nil, root.index, t)
	return &schema{root: root, typ: typ}, nil
}

var validKey = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// structType builds the decoding type of sec; at is the field path of sec
// itself, and index collects each leaf's field path.
func structType[C any](sec *section, at []int, index map[int][]int, t *Table[C]) reflect.Type {
	var fields []reflect.StructField
	for i, name := range sec.names {
		path := append(slices.Clip(at), i)
		f := reflect.StructField{Name: fmt.Sprintf("F%d", i), Tag: reflect.StructTag(`yaml:"` + name + `"`)}
		if row, ok := sec.leaf[name]; ok {
			f.Type = reflect.PointerTo(t.Settings[row].Value.yamlType())
			index[row] = path
		} else {
			f.Type = structType(sec.kids[name], path, index, t)
		}
		fields = append(fields, f)
	}
	return reflect.StructOf(fields)
}

// ParseFile layers a YAML configuration file (its bytes b; name is used in
// errors) over c: the keys it sets replace their settings' values, and
// src records where each came from. Unknown keys are errors naming their
// line, and a key of a command-line-only setting says why it cannot be in
// a file. Errors carry the file's text as yaml.v3 quotes it; callers clean
// them before printing.
func (t *Table[C]) ParseFile(c *C, name string, b []byte, src Sources) error {
	sch, err := t.fileSchema()
	if err != nil {
		return err
	}
	const want = "a mapping of the configuration keys (mfconform config check lists them)"
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(b)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return result.YAMLSyntaxError(name, err, want)
	}
	lines := map[int]int{}
	if len(doc.Content) > 0 {
		if err := t.walk(sch.root, deref(doc.Content[0]), lines); err != nil {
			return &result.FileError{Name: result.Clean(name), Line: err.line, Column: err.column, Problem: err.problem, Want: err.want}
		}
	}
	shadow := reflect.New(sch.typ)
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(shadow.Interface()); err != nil {
		return result.YAMLDecodeError(name, &doc, err, want)
	}
	for row, path := range sch.root.index {
		v := shadow.Elem().FieldByIndex(path)
		if v.IsNil() {
			continue
		}
		s := t.Settings[row]
		s.Value.setYAML(c, v.Elem())
		from := name
		if l := lines[row]; l > 0 {
			from = fmt.Sprintf("%s line %d", name, l)
		}
		src[s.Name()] = from
	}
	return nil
}

// deref follows an alias to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// walk checks that every key of the mapping n belongs to sec, recording
// each setting's line; merge keys (<<) are checked as part of sec.
func (t *Table[C]) walk(sec *section, n *yaml.Node, lines map[int]int) *keyError {
	if n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		where := "the file"
		if sec.path != "" {
			where = sec.path
		}
		return &keyError{line: n.Line, column: n.Column, problem: "not a mapping", want: "a mapping of keys under " + where}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if k.Tag == "!!merge" {
			merged := []*yaml.Node{v}
			if v != nil && v.Kind == yaml.SequenceNode {
				merged = v.Content
			}
			for _, m := range merged {
				if err := t.walk(sec, deref(m), lines); err != nil {
					return err
				}
			}
			continue
		}
		if row, ok := sec.leaf[k.Value]; ok {
			lines[row] = k.Line
			continue
		}
		kid, ok := sec.kids[k.Value]
		if !ok {
			problem, want := t.unknownKey(sec, k.Value)
			return &keyError{line: k.Line, column: k.Column, problem: problem, want: want}
		}
		if err := t.walk(kid, v, lines); err != nil {
			return err
		}
	}
	return nil
}

// keyError is a key the file may not hold: where it is and what is wrong,
// in mfconform's words only.
type keyError struct {
	line, column  int
	problem, want string
}

// unknownKey explains a key the file may not hold: a command-line-only
// setting says why (its name is mfconform's own); anything else is "an
// unknown key" — never echoed, since a file named by mistake (a secret, a
// key file) must not have its content printed — and lists what the
// section takes.
func (t *Table[C]) unknownKey(sec *section, key string) (problem, want string) {
	path := key
	if sec.path != "" {
		path = sec.path + "." + key
	}
	for _, s := range t.Settings {
		if s.CommandLineOnly != "" && (s.Flag == strings.ReplaceAll(key, "_", "-") || s.Flag == strings.ReplaceAll(path, "_", "-")) {
			return fmt.Sprintf("%s: --%s is command-line only: %s", path, s.Flag, s.CommandLineOnly), ""
		}
	}
	where := "the file"
	if sec.path != "" {
		where = sec.path
	}
	return "an unknown key in " + where, "one of " + strings.Join(sec.names, ", ")
}

// File renders the configuration-file settings of c as YAML that
// ParseFile reads back to the same values: every key, nested by section,
// in declaration order.
func (t *Table[C]) File(c *C) ([]byte, error) {
	return t.render(c, nil, false)
}

// Effective renders c as config check shows it: every key with its value
// (the defaults too), redacted, each value that left its default followed
// by where it came from; then the command-line-only settings as comments.
func (t *Table[C]) Effective(c *C, src Sources) ([]byte, error) {
	b, err := t.render(c, src, true)
	if err != nil {
		return nil, err
	}
	var only []string
	for _, s := range t.ordered() {
		if s.Key != "" || s.Flag == "" {
			continue
		}
		v := s.Value.text(c, true)
		if v == "" {
			v = "(not set)"
		}
		line := fmt.Sprintf("#   --%s %s", s.Flag, v)
		if from := src[s.Name()]; from != "" && from != "--"+s.Flag {
			line += " # from " + from
		}
		only = append(only, line)
	}
	if len(only) > 0 {
		b = append(b, "# command line only:\n"+strings.Join(only, "\n")+"\n"...)
	}
	return b, nil
}

func (t *Table[C]) render(c *C, src Sources, shown bool) ([]byte, error) {
	sch, err := t.fileSchema()
	if err != nil {
		return nil, err
	}
	root, err := t.node(sch.root, c, src, shown)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// node is sec as a YAML mapping node.
func (t *Table[C]) node(sec *section, c *C, src Sources, shown bool) (*yaml.Node, error) {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for _, name := range sec.names {
		key := &yaml.Node{Kind: yaml.ScalarNode, Value: name}
		var val *yaml.Node
		if row, ok := sec.leaf[name]; ok {
			s := t.Settings[row]
			val = &yaml.Node{}
			if err := val.Encode(s.Value.encode(c, shown)); err != nil {
				return nil, fmt.Errorf("%s: %w", s.Key, err)
			}
			if from := src[s.Name()]; from != "" {
				// A block value would carry the comment after its last
				// line; the key carries it next to itself.
				key.LineComment = "from " + from
			}
		} else {
			var err error
			if val, err = t.node(sec.kids[name], c, src, shown); err != nil {
				return nil, err
			}
		}
		m.Content = append(m.Content, key, val)
	}
	return m, nil
}
