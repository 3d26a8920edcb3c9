package runner

import (
	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL
	"github.com/onsi/ginkgo/v2/types"

	"github.com/mfconform/mfconform/reports"
)

// SpecInfo is one spec as listed by `mfconform specs`.
type SpecInfo struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Labels []string `json:"labels"`
}

// List returns every spec, sorted by ID, without running anything.
func List() ([]SpecInfo, error) {
	sc, rc := GinkgoConfiguration()
	sc.RandomSeed = 1
	rc.NoColor = true
	r := PreviewSpecs(suiteName, sc, rc)
	var out []SpecInfo
	for _, s := range reports.FromGinkgo(r) {
		out = append(out, SpecInfo{ID: s.ID, Title: s.Title, Labels: s.Labels})
	}
	_ = types.NodeTypeIt
	return out, nil
}
