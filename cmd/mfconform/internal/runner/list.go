package runner

import (
	"slices"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo DSL
	"github.com/onsi/ginkgo/v2/types"

	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwt"
	"github.com/mfconform/mfconform/suites/result"
	"github.com/mfconform/mfconform/suites/supabase"
)

// SpecInfo is one spec as listed by `mfconform specs`: with After, the
// earlier specs that may block it (the declared graph).
type SpecInfo struct {
	ID     result.SpecID   `json:"id"`
	Title  string          `json:"title"`
	Labels []string        `json:"labels"`
	After  []result.SpecID `json:"after,omitempty"`
}

// List returns every spec in declaration order, without running anything
// and without Ginkgo: from the modes' declarations, the same ones suite
// gives Ginkgo (text, labels: judge.Table).
func List() []SpecInfo {
	return append(infos(ModeJWT, jwt.Checks()), infos(ModeSupabase, supabase.Checks())...)
}

// infos lists the checks of mode.
func infos[R any](mode string, checks []judge.Check[R]) []SpecInfo {
	out := make([]SpecInfo, 0, len(checks))
	for _, c := range checks {
		out = append(out, SpecInfo{ID: c.ID, Title: c.Title, Labels: c.Labels(mode), After: c.After})
	}
	return out
}

// selectedBy remembers selected's answer per filter: the specs do not
// change within a process, and Validate (run and config check) and Run
// each ask.
var selectedBy sync.Map

// suite registers every mode's checks in Ginkgo's spec tree, once per
// process and before anything asks Ginkgo which specs a filter selects,
// and returns the board the specs read their verdicts from. Ginkgo's tree
// is the process's (the package doc says why), so the board that feeds it
// is too — the one package-level value of a run, holding nothing until
// Run posts the run's verdicts and redaction set.
var suite = sync.OnceValue(func() *judge.Board {
	board := &judge.Board{}
	judge.Table(ModeJWT, jwt.Checks(), board)
	judge.Table(ModeSupabase, supabase.Checks(), board)
	return board
})

// selected returns the IDs of the specs the configuration's filters select,
// without running anything.
func selected(cfg Config) []result.SpecID {
	suite()
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
