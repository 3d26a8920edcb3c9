package exporter

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"github.com/mfconform/mfconform/reports"
)

// keptName matches the folders Keep writes: a UTC time to the millisecond
// and the module (20260102T150405.123Z-default).
var keptName = regexp.MustCompile(`^\d{8}T\d{6}\.\d{3}Z-[a-z0-9_-]+$`)

// Keep copies a probe's report files (reports.Files, from src) into
// dir/TARGET/TIME-MODULE, each written with reports.WriteFile (atomic,
// never through a symbolic link), then removes all but the newest keep
// such folders of the target. Nothing else in dir is touched; a target
// folder that is a symbolic link is refused.
func Keep(dir string, k Key, at time.Time, src string, keep int) error {
	td := filepath.Join(dir, k.Target)
	if st, err := os.Lstat(td); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("report_dir: %s %w; remove it first", td, reports.ErrSymlink)
	}
	if err := os.MkdirAll(td, 0o755); err != nil {
		return fmt.Errorf("report_dir: %w", err)
	}
	name := at.UTC().Format("20060102T150405.000Z") + "-" + k.Module
	out := filepath.Join(td, name)
	if err := os.Mkdir(out, 0o755); err != nil {
		return fmt.Errorf("report_dir: %w", err)
	}
	var errs []error
	for _, f := range reports.Files {
		b, err := os.ReadFile(filepath.Join(src, f))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err == nil {
			err = reports.WriteFile(filepath.Join(out, f), b)
		}
		errs = append(errs, err)
	}
	entries, err := os.ReadDir(td)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("report_dir: %w", err))...)
	}
	var kept []string
	for _, e := range entries {
		if e.IsDir() && keptName.MatchString(e.Name()) {
			kept = append(kept, e.Name())
		}
	}
	slices.Sort(kept)
	for len(kept) > max(keep, 1) {
		errs = append(errs, os.RemoveAll(filepath.Join(td, kept[0])))
		kept = kept[1:]
	}
	return errors.Join(errs...)
}
