package result

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// Waiver is an operator's accepted exception: a spec ID or a diagnostic
// code, a required reason, an optional expiry date (YYYY-MM-DD, inclusive).
type Waiver struct {
	Spec    SpecID `json:"spec,omitempty" yaml:"spec"`
	Code    string `json:"code,omitempty" yaml:"code"`
	Reason  string `json:"reason" yaml:"reason"`
	Expires string `json:"expires,omitempty" yaml:"expires"`
}

// waiverFile is the YAML shape of --waivers FILE:
//
//	waivers:
//	  - spec: JWT-COOKIE-006
//	    reason: the app is never embedded in another site
//	    expires: 2027-01-31
//	  - code: TOKEN_LIFETIME_LONG
//	    reason: sessions last a week by policy
type waiverFile struct {
	Waivers []Waiver `yaml:"waivers"`
}

// ErrWaivers wraps every problem reading a waivers file.
var ErrWaivers = errors.New("invalid waivers file")

// maxWaiversFile bounds the waivers file read.
const maxWaiversFile = 1 << 20

// LoadWaivers reads and validates a waivers file: unknown keys are errors
// with their line, every waiver names exactly one of spec or code, has a
// reason, and an expiry written as YYYY-MM-DD.
func LoadWaivers(path string) ([]Waiver, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrWaivers, err)
	}
	defer f.Close()
	// One byte more than allowed, so ParseWaivers sees a file too large
	// without reading all of it (/dev/zero, a huge log named by mistake).
	b, err := io.ReadAll(io.LimitReader(f, maxWaiversFile+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrWaivers, err)
	}
	return ParseWaivers(path, b)
}

// waiversShape is the shape of a waivers file, for errors.
const waiversShape = "waivers: followed by a list of entries, each with spec or code, reason and optionally expires (YYYY-MM-DD)"

// ParseWaivers is LoadWaivers on the file's bytes; name is used in errors,
// which name the file, the line and column and the shape wanted, and
// never hold the file's content (result.FileError).
func ParseWaivers(name string, b []byte) ([]Waiver, error) {
	name = Clean(name)
	if len(b) > maxWaiversFile {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrWaivers, name, maxWaiversFile)
	}
	var f waiverFile
	doc, err := DecodeYAML(name, b, &f, waiversShape)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWaivers, err)
	}
	for i, w := range f.Waivers {
		bad := func(problem, want string) error {
			return fmt.Errorf("%w: %w", ErrWaivers, doc.Errorf(name, "waivers", i, want, "waiver %d: %s", i+1, problem))
		}
		switch {
		case (w.Spec == "") == (w.Code == ""):
			return nil, bad("names both or neither of spec and code", "exactly one of spec (a spec ID) or code (a diagnostic code)")
		case strings.TrimSpace(w.Reason) == "":
			return nil, bad("has no reason", "a reason: why the exception is accepted")
		}
		if w.Expires != "" {
			if _, err := time.Parse(time.DateOnly, w.Expires); err != nil {
				return nil, bad("expires is not a date", "YYYY-MM-DD")
			}
		}
		// One line each: a waivers file may be edited by people who may
		// not write to the CI log.
		f.Waivers[i].Reason = CleanLine(strings.TrimSpace(w.Reason))
		f.Waivers[i].Spec, f.Waivers[i].Code = SpecID(CleanLine(string(w.Spec))), CleanLine(w.Code)
	}
	return f.Waivers, nil
}

// waivable reports whether a spec in state may be waived: failed and
// warned specs by spec or code, not-judged and blocked ones by spec ID
// (the operator accepts that the spec cannot judge here).
func waivable(state State) bool {
	switch state {
	case StateFailed, StateWarned, StateNotJudged, StateBlocked:
		return true
	}
	return false
}

// ApplyWaivers turns specs that a live waiver covers into waived ones
// (keeping their diagnostics) and records waivers that have expired or
// matched nothing. A code waiver covers a spec only when it covers every
// code the spec reports. today decides expiry.
func ApplyWaivers(r *Report, ws []Waiver, today time.Time) {
	used := make([]bool, len(ws))
	live := make([]bool, len(ws))
	for i, w := range ws {
		live[i] = w.Expires == "" || !today.After(mustDate(w.Expires).Add(24*time.Hour-time.Nanosecond))
		if !live[i] {
			r.WaiverProblems = append(r.WaiverProblems, fmt.Sprintf("waiver for %s%s expired on %s and was not applied (%s)", w.Spec, w.Code, w.Expires, w.Reason))
		}
	}
	for si := range r.Specs {
		s := &r.Specs[si]
		if !waivable(s.State) {
			continue
		}
		codes := s.Codes()
		if s.State != StateFailed && s.State != StateWarned {
			codes = nil
		}
		covered := map[string]int{}
		for i, w := range ws {
			if !live[i] {
				continue
			}
			if w.Spec != "" && w.Spec == s.ID {
				used[i] = true
				waive(s, w)
				break
			}
			if w.Code != "" && slices.Contains(codes, w.Code) {
				covered[w.Code] = i
			}
		}
		if s.State != StateWaived && len(codes) > 0 && len(covered) == len(codes) {
			first := -1
			for _, i := range covered {
				used[i] = true
				if first < 0 || i < first {
					first = i
				}
			}
			waive(s, ws[first])
		}
	}
	// A spec blocked by a waived one follows it: the operator accepted
	// the cause, and what it makes meaningless needs no judging either.
	for changed := true; changed; {
		changed = false
		for si := range r.Specs {
			s := &r.Specs[si]
			if s.State != StateBlocked {
				continue
			}
			for _, b := range r.Specs {
				if b.ID == s.BlockedBy && b.State == StateWaived && b.Waiver != nil {
					waive(s, *b.Waiver)
					changed = true
					break
				}
			}
		}
	}
	for i, w := range ws {
		if live[i] && !used[i] {
			r.WaiverProblems = append(r.WaiverProblems, fmt.Sprintf("waiver for %s%s matched nothing in this run: remove it if the problem is fixed (%s)", w.Spec, w.Code, w.Reason))
		}
	}
}

func waive(s *Spec, w Waiver) {
	s.WaivedState, s.State = s.State, StateWaived
	wc := w
	s.Waiver = &wc
}

func mustDate(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}
