package reports

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/mfconform/mfconform/suites/result"
)

// RenderJSON writes the report model as WriteJSON writes report.json, to
// a stream (`run --format json`, `report --out -`).
func RenderJSON(w io.Writer, r *result.Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("reports: encode report.json: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Render writes the report in one of the formats a report folder holds —
// "json", "junit", "html", "md" or "sarif" — or as GitHub workflow
// commands ("github": RenderGitHub), to a stream.
func Render(w io.Writer, format string, r *result.Report) error {
	switch format {
	case "json":
		return RenderJSON(w, r)
	case "junit":
		b, err := RenderJUnit(r)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	case "html":
		return RenderHTML(w, r)
	case "md":
		return RenderMarkdown(w, r)
	case "sarif":
		return RenderSARIF(w, r)
	case "github":
		return RenderGitHub(w, r)
	}
	return fmt.Errorf("reports: no format %q (want json, junit, html, md, sarif or github)", format)
}
