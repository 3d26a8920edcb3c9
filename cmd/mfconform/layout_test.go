package main

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// module is the import path every package of mfconform starts with.
const module = "github.com/mfconform/mfconform/"

// layoutRules say what each folder may import of mfconform's own
// packages, so imports point one way — cmd → {fixtures, reports} → suites
// → harness — and a folder's name says what lives there. A package matches
// the longest prefix listed. CONTRIBUTING.md's layout table says the same
// in prose.
var layoutRules = []struct {
	prefix  string
	mayUse  []string // prefixes of the packages it may import
	explain string
}{
	{"harness/", []string{"harness/"}, "harness starts things; it never judges or renders"},
	{"suites/result", nil, "the result model is a leaf"},
	{"suites/diag", []string{"suites/result"}, "the catalogue builds on the result model only"},
	{"suites/", []string{"suites/", "harness/"}, "suites judge; they never render, describe fixtures or wire the CLI"},
	{"reports", []string{"suites/result"}, "reports render the result model and hold no judgment"},
	{"fixtures/fixturetest", []string{"fixtures", "suites/result", "suites/diag", "suites/stack"}, "the fixture test helper compares reports with declarations (codes and the stacks' fixes)"},
	{"fixtures", []string{"harness/", "suites/diag", "suites/result", "suites/stack"}, "fixtures describe deployments: profiles, expected codes by spec ID, and the stack each role truly runs"},
	{"cmd/", []string{"cmd/", "fixtures", "reports", "suites/", "harness/", "."}, "cmd wires everything"},
	{".", nil, "the module root only embeds the pinned npm manifests (package.json, package-lock.json)"},
	{"scripts", nil, "scripts holds the tests of the shipped artefacts beside the scripts that make them; they run scripts and binaries as a user would"},
}

// TestImportsPointOneWay fails when a package imports a package of
// mfconform its folder may not use (test files excluded): the check over
// `go list` that keeps the house walkable.
func TestImportsPointOneWay(t *testing.T) {
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	checked := 0
	for dec.More() {
		var p struct {
			ImportPath    string
			Imports, Deps []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		self := strings.TrimPrefix(p.ImportPath, module)
		if p.ImportPath+"/" == module {
			self = "."
		}
		rule := -1
		for i, r := range layoutRules {
			if (self == r.prefix || strings.HasPrefix(self, r.prefix)) && (rule < 0 || len(r.prefix) > len(layoutRules[rule].prefix)) {
				rule = i
			}
		}
		if rule < 0 {
			t.Errorf("package %s is in no folder the layout knows: add a rule", self)
			continue
		}
		checked++
		r := layoutRules[rule]
		for _, imp := range p.Imports {
			dep, ok := strings.CutPrefix(imp, module)
			if imp+"/" == module {
				dep, ok = ".", true
			}
			if !ok {
				continue
			}
			allowed := false
			for _, m := range r.mayUse {
				allowed = allowed || dep == m || strings.HasPrefix(dep, m)
			}
			if !allowed {
				t.Errorf("%s imports %s: %s", self, dep, r.explain)
			}
		}
		if self == "reports" {
			for _, d := range p.Deps {
				if dep, ok := strings.CutPrefix(d, module+"suites/"); ok && dep != "result" {
					t.Errorf("reports depends on suites/%s, a package that judges", dep)
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked %d packages, want every package of the module", checked)
	}
}

// serverStarts are the functions that start a server of the reference
// deployment; only the composition root, harness/deployment, calls them
// (tests may, to stand in for an operator's own deployment).
var serverStarts = map[string][]string{
	"harness/reference":   {"Start", "StartEmbedSite", "StartApp"},
	"harness/supabaseref": {"Start"},
	"harness/clientsite":  {"Start", "StartWith"},
	"harness/ssrserver":   {"Start"},
}

// TestOneCompositionRoot fails when a package other than harness/deployment
// starts a reference server itself: run, serve-reference and batches take
// their servers and hosts from one plan.
func TestOneCompositionRoot(t *testing.T) {
	cmd := exec.Command("go", "list", "-json=ImportPath,Dir,GoFiles", "./...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			ImportPath, Dir string
			GoFiles         []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		self := strings.TrimPrefix(p.ImportPath, module)
		if p.ImportPath+"/" == module {
			self = "."
		}
		if _, defines := serverStarts[self]; defines || self == "harness/deployment" {
			continue
		}
		for _, name := range p.GoFiles {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			local := map[string]string{} // local package name → import path
			for _, imp := range f.Imports {
				path := strings.Trim(imp.Path.Value, `"`)
				dep, ok := strings.CutPrefix(path, module)
				if _, starts := serverStarts[dep]; !ok || !starts {
					continue
				}
				n := filepath.Base(dep)
				if imp.Name != nil {
					n = imp.Name.Name
				}
				local[n] = dep
			}
			ast.Inspect(f, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); ok && slices.Contains(serverStarts[local[x.Name]], sel.Sel.Name) {
					t.Errorf("%s: %s.%s starts a reference server outside harness/deployment: add it to the plan (deployment.Plan.servers)", fset.Position(sel.Pos()), local[x.Name], sel.Sel.Name)
				}
				return true
			})
		}
	}
}
