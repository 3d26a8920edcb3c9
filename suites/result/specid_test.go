package result_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// specIDShape is the shape of a spec ID of a mode this module runs.
var specIDShape = regexp.MustCompile(`^(JWT|SB)-[A-Z]+-\d{3}$`)

// TestSpecIDsAreConstants keeps spec IDs typed: outside specid.go, no Go
// file of the module writes a declared spec ID as a string literal (it
// names the constant, so a misspelt one does not compile), and no file
// but a test writes an ID-shaped literal that names no spec at all.
func TestSpecIDsAreConstants(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	declared := literals(t, filepath.Join(root, "suites", "result", "specid.go"))
	if len(declared) < 54 {
		t.Fatalf("specid.go declares %d spec IDs, want every spec's (54)", len(declared))
	}
	scanned := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata" || name == "build") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		if !strings.HasSuffix(path, ".go") || rel == filepath.Join("suites", "result", "specid.go") {
			return nil
		}
		scanned++
		for lit, pos := range literals(t, path) {
			switch {
			case declared[lit] != "":
				t.Errorf("%s:%s writes the spec ID %q as a literal: use the constant result.%s", rel, pos, lit, constName(lit))
			case !strings.HasSuffix(path, "_test.go"):
				t.Errorf("%s:%s writes %q, which is no spec ID (specid.go declares them)", rel, pos, lit)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 100 {
		t.Errorf("scanned %d Go files, want the whole module", scanned)
	}
}

// literals returns the ID-shaped string literals of a Go file, each with
// the line:column of one occurrence.
func literals(t *testing.T, path string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		if v, err := strconv.Unquote(lit.Value); err == nil && specIDShape.MatchString(v) {
			p := fset.Position(lit.Pos())
			out[v] = strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
		}
		return true
	})
	return out
}

// constName is the constant specid.go declares for id: JWT-COOKIE-001 is
// JWTCookie001.
func constName(id string) string {
	parts := strings.Split(id, "-")
	name := parts[0]
	for _, p := range parts[1 : len(parts)-1] {
		name += p[:1] + strings.ToLower(p[1:])
	}
	return name + parts[len(parts)-1]
}
