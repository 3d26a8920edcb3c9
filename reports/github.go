package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/mfconform/mfconform/suites/result"
)

// RenderGitHub writes the report as GitHub Actions workflow commands: one
// ::error (a failure) or ::warning (a warning) annotation per root cause,
// titled with its code, its message causeMessage's one line; one ::error
// for a setup failure; one ::warning for an incomplete run. Every value
// is escaped as GitHub's runner unescapes it (actions/toolkit's
// escapeData and escapeProperty: %, CR and LF, and in a property also :
// and ,), so no text — a target's above all — can end the command early
// or start a line, and with it another command. The Action prints these
// after its ::stop-commands:: block has ended: this is the one output of
// mfconform meant to be obeyed.
func RenderGitHub(w io.Writer, r *result.Report) error {
	bw := bufio.NewWriter(w)
	causes, _ := r.Causes()
	if r.SetupError != "" {
		fmt.Fprintf(bw, "::error title=%s::%s\n", ghProperty("mfconform: setup failed"), ghData(result.CleanLine(r.SetupError)))
	}
	for _, c := range causes {
		cmd := "error"
		if !c.Severity.Failing() {
			cmd = "warning"
		}
		fmt.Fprintf(bw, "::%s title=%s::%s\n", cmd, ghProperty(c.Label()), ghData(causeMessage(c)))
	}
	if r.Verdict == result.VerdictIncomplete {
		fmt.Fprintf(bw, "::warning title=%s::%s\n", ghProperty("mfconform: incomplete"), ghData(result.CleanLine(r.IncompleteText())))
	}
	return bw.Flush()
}

// ghData escapes a workflow command's message as GitHub's runner
// unescapes it: % first, then CR and LF.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value: as ghData, and
// : and , (which would end the value or the property list).
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
