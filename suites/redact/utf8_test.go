package redact

import (
	"testing"
	"unicode/utf8"
)

func TestPrefixKeepsUTF8Whole(t *testing.T) {
	for _, v := range []string{"ééééééééééééééé", "abcdefghijk€€€€", "日本語のトークンです長い"} {
		if got := Prefix(v); !utf8.ValidString(got) {
			t.Errorf("Prefix(%q) = %q, not valid UTF-8", v, got)
		}
	}
}
