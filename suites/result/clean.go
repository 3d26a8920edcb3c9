package result

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// Clean makes text safe to show on a terminal or write into a file: every
// C0 and C1 control character except newline and tab (ESC, which starts
// ANSI/OSC sequences, backspace, carriage return, NUL, DEL, U+0080–U+009F),
// every Unicode bidirectional control, and every invalid UTF-8 byte is
// replaced by a visible \uXXXX (or \xXX) escape. Text a target sent — cookie
// names, attribute values, response bodies, error codes — passes through
// here before it reaches a diagnostic, evidence or a console line.
func Clean(s string) string {
	if cleanAlready(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// CleanLine is Clean for text that came from a target, made one line: a
// newline is shown as \n and the Unicode line and paragraph separators as
// \u2028 and \u2029 (carriage return and NEL are already escaped by
// Clean). Target text therefore never starts a line of the console, a CI
// log or a report file — where a CI runner would obey a line such as
// "::error::", "::add-mask::" or "::stop-commands::" as a workflow
// command. Text mfconform writes itself (a fix over several lines) goes
// through Clean.
func CleanLine(s string) string {
	s = Clean(s)
	if !strings.ContainsAny(s, "\n\u2028\u2029") {
		return s
	}
	return lineBreaks.Replace(s)
}

// lineBreaks escapes what CleanLine escapes beyond Clean.
var lineBreaks = strings.NewReplacer("\n", `\n`, "\u2028", `\u2028`, "\u2029", `\u2029`)

// cleanAlready is the fast path: plain printable ASCII and valid UTF-8
// without controls need no copy.
func cleanAlready(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return cleanSlow(s[i:])
		}
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func cleanSlow(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unsafeRune(r) {
			return false
		}
		i += size
	}
	return true
}

// unsafeRune reports whether r must not reach a terminal or file raw.
func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true // bidirectional overrides and isolates (Trojan Source)
	case r == 0xfeff:
		return true
	}
	return false
}

// Limits of what a report keeps of one piece of target text: the strings
// and entries beyond them say how much was left out. A target decides
// how much it sends; these decide how much of it is repeated in every
// spec's evidence and every report.
const (
	// MaxText is the most bytes kept of one string.
	MaxText = 8 << 10
	// MaxItems is the most entries kept of one map or list.
	MaxItems = 100
)

// Cut returns s when it is at most max bytes long, else its first max
// bytes (never splitting a UTF-8 sequence) followed by "…(N bytes)".
func Cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && cut > max-utf8.UTFMax && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("…(%d bytes)", len(s))
}

// Scrub returns v with every string in it passed through f, as the JSON a
// report would hold of it: structs become maps, numbers json.Numbers, []byte
// base64 strings (f keeps base64 as it is). Renderers read evidence by
// re-decoding its JSON, so nothing is lost. Maps and lists keep at most
// MaxItems entries (a map the first in key order) and say how many more
// there were: under the key "…" for a map, as a last string for a list. A
// value that does not encode is shown as f of its %v text.
func Scrub(v any, f func(string) string) any {
	b, err := json.Marshal(v)
	if err != nil {
		return f(fmt.Sprintf("%v", v))
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out any
	if d.Decode(&out) != nil {
		return f(string(b))
	}
	return scrub(out, f)
}

func scrub(v any, f func(string) string) any {
	switch x := v.(type) {
	case string:
		return f(x)
	case []any:
		more := len(x) - MaxItems
		if more > 0 {
			x = x[:MaxItems]
		}
		for i := range x {
			x[i] = scrub(x[i], f)
		}
		if more > 0 {
			x = append(x, fmt.Sprintf("…%d more not shown", more))
		}
		return x
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		more := len(keys) - MaxItems
		if more > 0 {
			keys = keys[:MaxItems]
		}
		out := make(map[string]any, len(keys)+1)
		for _, k := range keys {
			out[f(k)] = scrub(x[k], f)
		}
		if more > 0 {
			out["…"] = fmt.Sprintf("%d more not shown", more)
		}
		return out
	}
	return v
}
