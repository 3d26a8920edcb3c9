// Package reports renders a run's result (suites/result) — the console
// lines, report.json, junit.xml, report.html, summary.md, report.sarif
// and GitHub's workflow-command annotations — and writes them safely into
// the report folder. It holds no judgment and
// derives nothing the result model does not: specs decide, the runner
// assembles, reports show.
package reports

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mfconform/mfconform/suites/result"
)

// File names written to the report directory.
const (
	JSONFile  = "report.json"
	JUnitFile = "junit.xml"
)

// Files are the report files WriteAll writes, in order.
var Files = []string{JSONFile, HTMLFile, JUnitFile, MarkdownFile, SARIFFile}

// maxReportFile bounds what ReadJSON reads.
const maxReportFile = 256 << 20

// WriteAll writes report.json, report.html, junit.xml, summary.md and
// report.sarif into
// dir, creating it; a dir that is a symbolic link or another user's is
// refused (MakeFolder).
func WriteAll(dir string, r *result.Report) error {
	if err := MakeFolder(dir); err != nil {
		return err
	}
	if err := WriteJSON(filepath.Join(dir, JSONFile), r); err != nil {
		return err
	}
	if err := WriteJUnit(filepath.Join(dir, JUnitFile), r); err != nil {
		return err
	}
	if err := WriteHTML(filepath.Join(dir, HTMLFile), r); err != nil {
		return err
	}
	if err := WriteMarkdown(filepath.Join(dir, MarkdownFile), r); err != nil {
		return err
	}
	return WriteSARIF(filepath.Join(dir, SARIFFile), r)
}

// WriteJSON writes the report model as indented JSON.
func WriteJSON(path string, r *result.Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("reports: encode %s: %w", path, err)
	}
	return WriteFile(path, append(b, '\n'))
}

// ReadJSON reads a report.json.
func ReadJSON(path string) (*result.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reports: read %s: %w", path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > maxReportFile {
		return nil, fmt.Errorf("reports: %s is larger than %d bytes: not a report.json", path, maxReportFile)
	}
	var r result.Report
	if err := json.NewDecoder(f).Decode(&r); err != nil {
		return nil, fmt.Errorf("reports: %s is not a report.json: %w", path, err)
	}
	return &r, nil
}
