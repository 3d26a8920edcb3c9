// Package reports renders a run's result (suites/result) four ways — the
// console lines, report.json, junit.xml, report.html and summary.md — and
// writes them safely into the report folder. It holds no judgment and
// derives nothing the result model does not: specs decide, the runner
// assembles, reports show.
package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
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
var Files = []string{JSONFile, HTMLFile, JUnitFile, MarkdownFile}

// maxReportFile bounds what ReadJSON reads.
const maxReportFile = 256 << 20

// WriteAll writes report.json, report.html, junit.xml and summary.md into
// dir, creating it.
func WriteAll(dir string, r *result.Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports: create %s: %w", dir, err)
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
	return WriteMarkdown(filepath.Join(dir, MarkdownFile), r)
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

// ErrSymlink is returned when a report file's path is a symbolic link:
// reports are never written through one.
var ErrSymlink = errors.New("is a symbolic link")

// WriteFile writes a report file atomically and without following links:
// the bytes go to a new temporary file with an unpredictable name in the
// same folder, which is then renamed over path. An existing path that is a
// symbolic link is refused rather than followed or replaced.
func WriteFile(path string, b []byte) error {
	if st, err := os.Lstat(path); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("reports: write %s: %w; remove it first", path, ErrSymlink)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	tmp := f.Name()
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	return nil
}
