// Package suggest finds the names an operator probably meant when a name
// they typed is unknown — a flag, a fixture, a spec ID, a diagnostic code,
// a label — and words the "did you mean" that every such error carries.
//
// Closeness is the optimal-string-alignment distance (Levenshtein with
// adjacent transpositions, so "060" is one step from "006") over the
// names compared without regard to case. Only close names are offered:
// within a third of the typed name's length (at least 1, at most 3
// edits), the closest ones only, and never more than Max, so a typo
// never dumps the whole list on one line.
package suggest

import (
	"slices"
	"strings"
)

// Max is the most names Closest returns.
const Max = 3

// Closest returns the known names closest to typed, best first (then in
// the order of known), at most Max of them; nil when none is close. A
// known name that starts with what was typed (3 characters or more)
// counts as one edit away: `--label` meant `--label-filter`.
func Closest(typed string, known []string) []string {
	t := strings.ToLower(typed)
	limit := min(max(len([]rune(t))/3, 1), 3)
	best := limit + 1
	var out []string
	for _, k := range known {
		kl := strings.ToLower(k)
		if kl == "" || slices.Contains(out, k) {
			continue
		}
		d := Distance(t, kl)
		if d > 1 && len(t) >= 3 && strings.HasPrefix(kl, t) {
			d = 1
		}
		switch {
		case d > limit || d > best:
		case d < best:
			best, out = d, []string{k}
		default:
			out = append(out, k)
		}
	}
	if len(out) > Max {
		out = out[:Max]
	}
	return out
}

// Phrase is " (did you mean X?)", " (did you mean X or Y?)" for the
// given names, each with prefix ("--"), or "" for none.
func Phrase(prefix string, names []string) string {
	if len(names) == 0 {
		return ""
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = prefix + n
	}
	return " (did you mean " + OrList(quoted) + "?)"
}

// OrList is "a", "a or b", "a, b or c".
func OrList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// Distance is the optimal-string-alignment distance between a and b, by
// rune: insertions, deletions, substitutions and transpositions of two
// adjacent runes each cost one.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows of the dynamic programme: i-2, i-1 and i.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
