package runner

import (
	"slices"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL
	"github.com/onsi/ginkgo/v2/types"

	"github.com/mfconform/mfconform/suites/result"
)

// SpecInfo is one spec as listed by `mfconform specs`: with After, the
// earlier specs that may block it (the declared graph).
type SpecInfo struct {
	ID     result.SpecID   `json:"id"`
	Title  string          `json:"title"`
	Labels []string        `json:"labels"`
	After  []result.SpecID `json:"after,omitempty"`
}

// List returns every spec in declaration order, without running anything.
func List() []SpecInfo {
	byID := map[result.SpecID]SpecInfo{}
	after := prerequisites()
	for _, r := range preview("").SpecReports {
		if r.LeafNodeType == types.NodeTypeIt {
			id, title := result.SplitText(r.LeafNodeText)
			byID[id] = SpecInfo{ID: id, Title: title, Labels: r.Labels(), After: after[id]}
		}
	}
	var out []SpecInfo
	for _, id := range order() {
		if s, ok := byID[id]; ok {
			out = append(out, s)
		}
	}
	return out
}

// selectedBy remembers selected's answer per filter: the specs do not
// change within a process, and Validate (run and config check) and Run
// each ask.
var selectedBy sync.Map

// selected returns the IDs of the specs the configuration's filters select,
// without running anything.
func selected(cfg Config) []result.SpecID {
	key := cfg.labelFilter() + "\x00" + strings.Join(cfg.Focus, "\x00")
	if ids, ok := selectedBy.Load(key); ok {
		return slices.Clone(ids.([]result.SpecID))
	}
	var ids []result.SpecID
	for _, r := range preview(cfg.labelFilter(), cfg.Focus...).SpecReports {
		if r.LeafNodeType == types.NodeTypeIt && r.State != types.SpecStateSkipped {
			id, _ := result.SplitText(r.LeafNodeText)
			ids = append(ids, id)
		}
	}
	selectedBy.Store(key, slices.Clone(ids))
	return ids
}

// preview asks Ginkgo which specs a filter selects.
func preview(labelFilter string, focus ...string) Report {
	sc, rc := GinkgoConfiguration()
	sc.RandomSeed = 1
	sc.LabelFilter = labelFilter
	sc.FocusStrings = focus
	rc.NoColor = true
	return PreviewSpecs(suiteName, sc, rc)
}
