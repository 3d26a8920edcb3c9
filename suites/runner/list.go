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
	return out, nil
}

// selected returns the IDs of the specs the configuration's filters select,
// without running anything.
func selected(cfg Config) []string {
	sc, rc := GinkgoConfiguration()
	sc.RandomSeed = 1
	sc.LabelFilter = cfg.labelFilter()
	sc.FocusStrings = cfg.Focus
	rc.NoColor = true
	var ids []string
	for _, r := range PreviewSpecs(suiteName, sc, rc).SpecReports {
		if r.LeafNodeType == types.NodeTypeIt && r.State != types.SpecStateSkipped {
			id, _ := reports.SplitText(r.LeafNodeText)
			ids = append(ids, id)
		}
	}
	return ids
}
