package settings

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// step is a structured value with strict keys of its own.
type step struct {
	Go   string `yaml:"go,omitempty"`
	Wait string `yaml:"wait,omitempty"`
}

// conf is a command's configuration for these tests.
type conf struct {
	Mode    string
	Dir     string
	Hosts   []string
	Form    map[string]string
	Retries int
	Limit   time.Duration
	Verbose bool
	Binary  string
	Steps   []step
	URL     string
}

const groupA, groupB Group = "alpha", "beta"

func testTable() *Table[conf] {
	return &Table[conf]{
		Command: "test",
		Groups:  []Group{groupA, groupB},
		Settings: []Setting[conf]{
			{Flag: "mode", Key: "mode", Env: "T_MODE", Group: groupA, Arg: "MODE", Usage: "the mode",
				Value: String(func(c *conf) *string { return &c.Mode }).Default("all").OneOf("all", "one")},
			{Flag: "dir", Key: "out.dir", Env: "T_DIR", Group: groupA, Arg: "DIR", Usage: "the folder",
				Value: String(func(c *conf) *string { return &c.Dir }).Default("out").Check(func(s string) error {
					if s == "" {
						return errors.New("is empty")
					}
					return nil
				})},
			{Flag: "host", Key: "net.hosts", Env: "T_HOSTS", Group: groupB, Arg: "HOST", Usage: "a host (repeatable)",
				Value: List(func(c *conf) *[]string { return &c.Hosts }).Default([]string{"default.test"}).Tidy(func(hs []string) []string {
					out := []string{}
					for _, h := range hs {
						out = append(out, strings.ToLower(h))
					}
					return out
				})},
			{Flag: "form", Key: "form", Group: groupB, Arg: "K=V", Usage: "a field",
				Value: Pairs(func(c *conf) *map[string]string { return &c.Form }).Redact(func(m map[string]string) map[string]string {
					out := map[string]string{}
					for k := range m {
						out[k] = "(set)"
					}
					return out
				})},
			{Key: "net.retries", Group: groupB, FileOnly: "tuning", Usage: "retries",
				Value: Int(func(c *conf) *int { return &c.Retries }).Default(2)},
			{Flag: "limit", Key: "limit", Group: groupB, Arg: "DURATION", Usage: "a bound",
				Value: Duration(func(c *conf) *time.Duration { return &c.Limit }).Default(time.Minute)},
			{Flag: "verbose", Key: "verbose", Group: groupB, Usage: "say more",
				Value: Bool(func(c *conf) *bool { return &c.Verbose })},
			{Flag: "binary", Env: "T_BINARY", Group: groupB, Arg: "BINARY", Usage: "the program", CommandLineOnly: "a file must not choose a program",
				Value: String(func(c *conf) *string { return &c.Binary })},
			{Key: "steps", Group: groupB, FileOnly: "structured", Usage: "the steps",
				Value: Structured(func(c *conf) *[]step { return &c.Steps })},
			{Flag: "url", Key: "url", Group: groupA, Arg: "URL", Usage: "a URL",
				Value: String(func(c *conf) *string { return &c.URL }).Redact(func(string) string { return "(redacted)" })},
		},
	}
}

// load layers like a command: defaults < file < env < flags.
func load(t *testing.T, tab *Table[conf], file string, env map[string]string, args ...string) (conf, Sources, error) {
	t.Helper()
	var c conf
	tab.SetDefaults(&c)
	src := Sources{}
	cl, err := tab.Parse(args)
	if err != nil {
		return c, src, err
	}
	if file != "" {
		if err := tab.ParseFile(&c, "c.yaml", []byte(file), src); err != nil {
			return c, src, err
		}
	}
	if err := tab.ApplyEnv(&c, func(k string) string { return env[k] }, src); err != nil {
		return c, src, err
	}
	cl.Apply(&c, src)
	return c, src, tab.Validate(&c, src)
}

func TestTableIsWellFormed(t *testing.T) {
	if err := testTable().Check(); err != nil {
		t.Fatalf("Check() = %v", err)
	}
}

// TestCheckFindsBrokenTables: each row breaks one rule of a table, and
// Check names it.
func TestCheckFindsBrokenTables(t *testing.T) {
	str := func() Value[conf] { return String(func(c *conf) *string { return &c.Mode }) }
	tests := []struct {
		name string
		rows []Setting[conf]
		want string
	}{
		{"a flag twice", []Setting[conf]{{Flag: "a", Key: "a", Arg: "X", Usage: "u", Value: str()}, {Flag: "a", Key: "b", Arg: "X", Usage: "u", Value: str()}}, `flag "a" is declared twice`},
		{"a key twice", []Setting[conf]{{Flag: "a", Key: "k", Arg: "X", Usage: "u", Value: str()}, {Flag: "b", Key: "k", Arg: "X", Usage: "u", Value: str()}}, `key "k" is declared twice`},
		{"a variable twice", []Setting[conf]{{Flag: "a", Key: "a", Env: "E", Arg: "X", Usage: "u", Value: str()}, {Flag: "b", Key: "b", Env: "E", Arg: "X", Usage: "u", Value: str()}}, `variable "E" is declared twice`},
		{"a flag without key or reason", []Setting[conf]{{Flag: "a", Key: "a", Arg: "X", Usage: "u", Value: str()}, {Flag: "b", Arg: "X", Usage: "u", Value: str()}}, "--b has no configuration-file key and no reason"},
		{"a key without flag or reason", []Setting[conf]{{Key: "a", Usage: "u", Value: str()}}, "a has no flag and no reason"},
		{"no usage", []Setting[conf]{{Flag: "a", Key: "a", Arg: "X", Value: str()}}, "--a has no usage"},
		{"a value without a placeholder", []Setting[conf]{{Flag: "a", Key: "a", Usage: "u", Value: str()}}, "names none"},
		{"a structured flag", []Setting[conf]{{Flag: "a", Key: "a", Usage: "u", Arg: "X", Value: Structured(func(c *conf) *[]step { return &c.Steps })}}, "never a flag"},
		{"a key and a reason to have none", []Setting[conf]{{Flag: "a", Key: "a", Arg: "X", Usage: "u", CommandLineOnly: "why", Value: str()}}, "a key and a reason"},
		{"a setting that is also a section", []Setting[conf]{{Flag: "a", Key: "s", Arg: "X", Usage: "u", Value: str()}, {Flag: "b", Key: "s.x", Arg: "X", Usage: "u", Value: str()}}, "not a section"},
		{"a key that is not snake case", []Setting[conf]{{Flag: "a", Key: "loginURL", Arg: "X", Usage: "u", Value: str()}}, "lower-case words"},
		{"an invalid default", []Setting[conf]{{Flag: "a", Key: "a", Arg: "X", Usage: "u", Value: String(func(c *conf) *string { return &c.Mode }).Default("x").OneOf("y")}}, "the default is invalid"},
		{"an unknown group", []Setting[conf]{{Flag: "a", Key: "a", Arg: "X", Usage: "u", Group: "nope", Value: str()}}, `group "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := &Table[conf]{Command: "x", Settings: tt.rows}
			if err := tab.Check(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestLayers: defaults < file < environment < flags that were set, for
// every kind of value; a repeatable flag replaces the list below it.
func TestLayers(t *testing.T) {
	file := "mode: one\nout:\n  dir: from-file\nnet:\n  hosts: [File.test]\n  retries: 5\nlimit: 2m\nform: {a: file}\nverbose: true\nsteps:\n  - go: https://x/\n"
	tests := []struct {
		name    string
		file    string
		env     map[string]string
		args    []string
		want    string // mode|dir|hosts|retries|limit|verbose|form|steps
		wantSrc map[string]string
	}{
		{"defaults", "", nil, nil, "all|out|[default.test]|2|1m0s|false|map[]|0", map[string]string{}},
		{"the file over the defaults", file, nil, nil, "one|from-file|[file.test]|5|2m0s|true|map[a:file]|1",
			map[string]string{"--mode": "c.yaml line 1", "--dir": "c.yaml line 3", "net.retries": "c.yaml line 6", "steps": "c.yaml line 10"}},
		{"the environment over the file", file, map[string]string{"T_DIR": "from-env", "T_HOSTS": "a.test, B.test"}, nil, "one|from-env|[a.test b.test]|5|2m0s|true|map[a:file]|1",
			map[string]string{"--dir": "T_DIR", "--host": "T_HOSTS", "--mode": "c.yaml line 1"}},
		{"flags over the environment", file, map[string]string{"T_DIR": "from-env"}, []string{"--dir", "from-flag", "--host", "X.test", "--host", "y.test", "--form", "b=2", "--verbose=false"},
			"one|from-flag|[x.test y.test]|5|2m0s|false|map[b:2]|1", map[string]string{"--dir": "--dir", "--host": "--host", "--form": "--form", "--verbose": "--verbose"}},
		{"a flag at its default value still wins", file, nil, []string{"--mode", "all"}, "all|from-file|[file.test]|5|2m0s|true|map[a:file]|1", map[string]string{"--mode": "--mode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, src, err := load(t, testTable(), tt.file, tt.env, tt.args...)
			if err != nil {
				t.Fatalf("load() error = %v", err)
			}
			got := fmt.Sprintf("%s|%s|%v|%d|%s|%v|%v|%d", c.Mode, c.Dir, c.Hosts, c.Retries, c.Limit, c.Verbose, c.Form, len(c.Steps))
			if got != tt.want {
				t.Errorf("values = %s, want %s", got, tt.want)
			}
			for k, v := range tt.wantSrc {
				if src[k] != v {
					t.Errorf("Sources[%s] = %q, want %q (all: %v)", k, src[k], v, src)
				}
			}
		})
	}
}

// TestDefaultsAreNotShared: a default list is copied, so changing one
// configuration's list leaves the next one's default intact.
func TestDefaultsAreNotShared(t *testing.T) {
	tab := testTable()
	var a, b conf
	tab.SetDefaults(&a)
	a.Hosts[0] = "changed"
	tab.SetDefaults(&b)
	if b.Hosts[0] != "default.test" {
		t.Errorf("the second configuration's default host = %q, want default.test", b.Hosts[0])
	}
}

// TestFileErrors: what a file may not hold is an error naming its line and
// saying why.
func TestFileErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string
	}{
		// Never a byte of the file (a secret file named by mistake stays
		// unprinted): where, what kind of problem, what is wanted.
		{"an unknown key", "mode: one\ncolour: blue\n", []string{"c.yaml:2:", "an unknown key in the file", "one of mode, out"}},
		{"an unknown key in a section", "out:\n  dir: x\n  colour: blue\n", []string{"c.yaml:3:", "an unknown key in out", "one of dir"}},
		{"a command-line-only setting", "mode: one\nbinary: /tmp/evil\n", []string{"c.yaml:2:", "--binary is command-line only: a file must not choose a program"}},
		{"an unknown key inside a structured value", "steps:\n  - go: x\n    run: y\n", []string{"c.yaml:3:", "an unknown key"}},
		{"a section that is not a mapping", "out: 5\n", []string{"c.yaml:1:", "not a mapping", "keys under out"}},
		{"a file that is not a mapping", "- a\n", []string{"c.yaml:1:", "not a mapping", "keys under the file"}},
		{"a duplicate key", "mode: one\nmode: all\n", []string{"c.yaml:2:", "a key given twice (first at line 1)"}},
		{"a value of the wrong type", "limit: soon\n", []string{"c.yaml:1:", "a value of the wrong kind", "a duration"}},
		{"an unknown key merged in", "base: &b {colour: x}\n", []string{"an unknown key in the file"}},
		{"an invalid value", "mode: two\n", []string{`c.yaml line 1: mode "two": want all or one`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := load(t, testTable(), tt.file, nil)
			if err == nil {
				t.Fatalf("load(%q) succeeded, want an error", tt.file)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "struct {") {
				t.Errorf("error %q shows the decoding type", err)
			}
			for _, leak := range []string{"colour", "blue", "evil", "soon", "run:", "go:"} {
				if strings.Contains(tt.file, leak) && strings.Contains(err.Error(), leak) {
					t.Errorf("error %q echoes the file's %q", err, leak)
				}
			}
		})
	}
}

// TestFileFeatures: YAML's own shortcuts keep working: anchors, merge
// keys, an empty file, null values.
func TestFileFeatures(t *testing.T) {
	tests := []struct {
		name, file string
		want       string
	}{
		{"empty", "", "all out"},
		{"comments only", "# nothing\n", "all out"},
		{"null values keep the default", "mode:\nout:\n", "all out"},
		{"an alias", "mode: &m one\nout: {dir: *m}\n", "one one"},
		{"a merge key", "out: &o {dir: merged}\nnet:\n  <<: {retries: 3}\n", "all merged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := load(t, testTable(), tt.file, nil)
			if err != nil {
				t.Fatalf("load(%q) error = %v", tt.file, err)
			}
			if got := c.Mode + " " + c.Dir; got != tt.want {
				t.Errorf("mode, dir = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFileRoundTrip: File writes every key, and reading it back gives the
// same configuration.
func TestFileRoundTrip(t *testing.T) {
	tab := testTable()
	c, _, err := load(t, tab, "mode: one\nsteps: [{go: a}, {wait: b}]\nform: {k: v}\n", nil, "--host", "h.test", "--url", "https://u:p@x/")
	if err != nil {
		t.Fatal(err)
	}
	b, err := tab.File(&c)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range tab.Settings {
		if s.Key != "" && !strings.Contains(string(b), s.Key[strings.LastIndex(s.Key, ".")+1:]+":") {
			t.Errorf("File() lacks %s:\n%s", s.Key, b)
		}
	}
	var again conf
	tab.SetDefaults(&again)
	if err := tab.ParseFile(&again, "again.yaml", b, Sources{}); err != nil {
		t.Fatalf("ParseFile(File()) = %v\n%s", err, b)
	}
	if fmt.Sprint(again) != fmt.Sprint(c) {
		t.Errorf("after a round trip %+v, want %+v", again, c)
	}
	if strings.Contains(string(b), "binary") {
		t.Errorf("File() writes a command-line-only setting:\n%s", b)
	}
}

// TestEffective: every key with its value, defaults included, redacted,
// with where it came from; the command-line-only ones as comments.
func TestEffective(t *testing.T) {
	tab := testTable()
	c, src, err := load(t, tab, "out:\n  dir: d\n", map[string]string{"T_BINARY": "/usr/bin/x"}, "--form", "pw=hunter2", "--url", "https://u:p@x/")
	if err != nil {
		t.Fatal(err)
	}
	b, err := tab.Effective(&c, src)
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	for _, w := range []string{"mode: all\n", "dir: d # from c.yaml line 2", "retries: 2\n", "limit: 1m0s\n", "pw: (set)", "form: # from --form", "url: (redacted) # from --url", "#   --binary /usr/bin/x # from T_BINARY"} {
		if !strings.Contains(out, w) {
			t.Errorf("Effective() lacks %q:\n%s", w, out)
		}
	}
	for _, n := range []string{"hunter2", "u:p@"} {
		if strings.Contains(out, n) {
			t.Errorf("Effective() shows %q:\n%s", n, out)
		}
	}
}

// TestFlagErrors: a flag that does not parse is the flag package's error.
func TestFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--limit", "soon"}, "want a duration"},
		{[]string{"--form", "novalue"}, "want k=v"},
		{[]string{"--verbose=maybe"}, "want true or false"},
		{[]string{"--nope"}, "unknown flag --nope"},
		{[]string{"--verbos"}, "unknown flag --verbos (did you mean --verbose?)"},
		{[]string{"-verbos=true"}, "unknown flag --verbos (did you mean --verbose?)"},
		{[]string{"-h"}, flag.ErrHelp.Error()},
	}
	for _, tt := range tests {
		_, err := testTable().Parse(tt.args)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
}

// TestFlags: the inventory completion is built from names every flag once,
// with its kind, placeholder, choices and repeatability.
func TestFlags(t *testing.T) {
	got := map[string]FlagInfo{}
	for _, f := range testTable().Flags() {
		got[f.Name] = f
	}
	want := []string{"binary", "dir", "form", "host", "limit", "mode", "url", "verbose"}
	if names := slices.Sorted(maps.Keys(got)); !slices.Equal(names, want) {
		t.Fatalf("Flags() names = %v, want %v", names, want)
	}
	if f := got["mode"]; f.Kind != KindString || !slices.Equal(f.Choices, []string{"all", "one"}) || f.Default != "all" || f.Env != "T_MODE" {
		t.Errorf("mode = %+v", f)
	}
	if f := got["host"]; f.Kind != KindList || !f.Repeatable || f.Arg != "HOST" || f.Key != "net.hosts" {
		t.Errorf("host = %+v", f)
	}
	if f := got["verbose"]; f.Kind != KindBool || f.Arg != "" {
		t.Errorf("verbose = %+v", f)
	}
}

// TestHelpAndDocs: help groups the flags and lists the file-only keys; the
// docs table has a key and an environment column and says why a flag is
// command-line only.
func TestHelpAndDocs(t *testing.T) {
	tab := testTable()
	help := tab.Help()
	if a, b := strings.Index(help, "Alpha flags:"), strings.Index(help, "Beta flags:"); a < 0 || b < a {
		t.Errorf("Help() groups out of order:\n%s", help)
	}
	for _, w := range []string{"--mode MODE", "(default all) [$T_MODE]", "--host HOST", "net.retries, steps"} {
		if !strings.Contains(help, w) {
			t.Errorf("Help() lacks %q:\n%s", w, help)
		}
	}
	md := tab.MarkdownFlags("flag")
	for _, w := range []string{"| flag | config key | environment | meaning | default |", "| `--dir DIR` | `out.dir` | `T_DIR` | the folder | `out` |", "command line only: a file must not choose a program"} {
		if !strings.Contains(md, w) {
			t.Errorf("MarkdownFlags() lacks %q:\n%s", w, md)
		}
	}
	if md := tab.MarkdownFileOnly(); !strings.Contains(md, "| `net.retries` | retries | `2` |") || strings.Contains(md, "out.dir") {
		t.Errorf("MarkdownFileOnly():\n%s", md)
	}
	if got := tab.Synopsis("mode"); !strings.HasPrefix(got, "--mode MODE [--dir DIR]") {
		t.Errorf("Synopsis() = %q", got)
	}
}
