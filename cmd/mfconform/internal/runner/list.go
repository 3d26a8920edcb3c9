package runner

import (
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
// and without Ginkgo: from the modes' declarations, the same ones
// registerSpecs gives Ginkgo (text, labels: judge.Table).
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

// registerSpecs registers every mode's checks in Ginkgo's spec tree, each
// spec reading its verdict from board. The tree is the process's and a
// process runs one suite (the package doc), so Run calls this once, before
// it asks Ginkgo which specs the run's filters select.
func registerSpecs(board *judge.Board) {
	judge.Table(ModeJWT, jwt.Checks(), board)
	judge.Table(ModeSupabase, supabase.Checks(), board)
}

// selected returns the IDs of the specs the configuration's filters select,
// without running anything.
func selected(cfg Config) []result.SpecID {
	var ids []result.SpecID
	for _, r := range preview(cfg.labelFilter(), cfg.Focus...).SpecReports {
		if r.LeafNodeType == types.NodeTypeIt && r.State != types.SpecStateSkipped {
			id, _ := result.SplitText(r.LeafNodeText)
			ids = append(ids, id)
		}
	}
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
