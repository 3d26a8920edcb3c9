package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/result"
)

// TestReportExampleIsCurrent keeps docs/reports.md's screenshot of the HTML
// report (docs/report-example.png) the current report's: the HTML the
// renderer makes today of docs/report-example.json must be the HTML the
// screenshot was taken of, whose SHA-256 `make report-screenshot` stored
// in docs/report-example.html.sha256. A change to the template, the styles
// or the script fails here until the screenshot is taken again.
func TestReportExampleIsCurrent(t *testing.T) {
	docs := filepath.Join("..", "docs")
	r, err := ReadJSON(filepath.Join(docs, "report-example.json"))
	if err != nil {
		t.Fatalf("the example report: %v (make report-screenshot writes it)", err)
	}
	if r.SchemaVersion != result.SchemaVersion {
		t.Errorf("docs/report-example.json has schema %d, the current is %d: run make report-screenshot", r.SchemaVersion, result.SchemaVersion)
	}
	var page bytes.Buffer
	if err := RenderHTML(&page, r); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(page.Bytes())
	stored, err := os.ReadFile(filepath.Join(docs, "report-example.html.sha256"))
	if err != nil {
		t.Fatalf("docs/report-example.html.sha256: %v (make report-screenshot writes it)", err)
	}
	want, _, _ := strings.Cut(strings.TrimSpace(string(stored)), " ")
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Errorf("docs/report-example.png shows another report.html than the current renderer makes of docs/report-example.json "+
			"(sha256 %s, the screenshot's %s): run make report-screenshot and commit docs/", got, want)
	}
	if _, err := os.Stat(filepath.Join(docs, "report-example.png")); err != nil {
		t.Errorf("docs/report-example.png: %v", err)
	}
}
