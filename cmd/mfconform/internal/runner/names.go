package runner

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/suggest"
	"github.com/mfconform/mfconform/fixtures"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/jwt"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/supabase"
)

// The names an operator types — spec IDs, labels, diagnostic codes,
// fixtures — come from here, so that every "no such …" error and shell
// completion agree on them and offer the closest ones (package suggest).

// knownSpecs is every spec, listed once per process. It is the one place
// that says where the spec list comes from (today Ginkgo's preview of the
// suites, List).
var knownSpecs = sync.OnceValue(List)

// Specs returns every spec in declaration order.
func Specs() []SpecInfo { return knownSpecs() }

// SpecIDs returns every spec ID in declaration order.
func SpecIDs() []string {
	var out []string
	for _, s := range Specs() {
		out = append(out, string(s.ID))
	}
	return out
}

// LookupSpec returns the spec with the given ID, matched without regard
// to case.
func LookupSpec(id string) (SpecInfo, bool) {
	for _, s := range Specs() {
		if strings.EqualFold(string(s.ID), strings.TrimSpace(id)) {
			return s, true
		}
	}
	return SpecInfo{}, false
}

// SpecLabels returns every label some spec carries (mode:jwt, area:cookie…),
// in the order the specs first carry them.
func SpecLabels() []string {
	var out []string
	for _, s := range Specs() {
		for _, l := range s.Labels {
			if !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return out
}

// Codes returns every diagnostic code of the catalogue, sorted.
func Codes() []string {
	var out []string
	for _, e := range diag.All() {
		out = append(out, string(e.Code))
	}
	return out
}

// FixtureNames returns every fixture's name, in the order `mfconform
// fixtures` lists them.
func FixtureNames() []string {
	var out []string
	for _, f := range fixtures.All() {
		out = append(out, f.Name)
	}
	return out
}

// Fixture returns the fixture called name. An unknown name's error offers
// the closest names and points at `mfconform fixtures`, never the whole
// list.
func Fixture(name string) (fixtures.Fixture, error) {
	if slices.Contains(FixtureNames(), name) {
		return fixtures.Get(name)
	}
	return fixtures.Fixture{}, fmt.Errorf("%q: no such fixture%s; `mfconform fixtures` lists them",
		result.Clean(result.Cut(name, 128)), suggest.Phrase("", suggest.Closest(name, FixtureNames())))
}

// FixtureSuggestion is " (did you mean X?)" for the fixtures closest to
// name, or "": the suggestion alone, for errors that may not echo name.
func FixtureSuggestion(name string) string {
	return suggest.Phrase("", suggest.Closest(name, FixtureNames()))
}

// unknownSpec is the error for a spec ID no spec has.
func unknownSpec(id string) error {
	return fmt.Errorf("%q: no such spec%s; `mfconform specs` lists them",
		result.Clean(result.Cut(id, 128)), suggest.Phrase("", suggest.Closest(id, SpecIDs())))
}

// unknownCode is the error for a code the catalogue lacks.
func unknownCode(code string) error {
	return fmt.Errorf("%q: no such diagnostic code%s; `mfconform explain` lists them",
		result.Clean(result.Cut(code, 128)), suggest.Phrase("", suggest.Closest(code, Codes())))
}

// SpecEvidence returns the evidence bundles the spec with the given ID
// judges, as its check declares them (none for a spec that judges no
// gathered evidence).
func SpecEvidence(id string) []string {
	for _, c := range jwt.Checks() {
		if string(c.ID) == id {
			return c.Bundles
		}
	}
	for _, c := range supabase.Checks() {
		if string(c.ID) == id {
			return c.Bundles
		}
	}
	return nil
}
