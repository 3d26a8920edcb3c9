package jwtcheck

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/diag"
)

func TestParse(t *testing.T) {
	good := rawToken(hs256, `{"user_id":"u1","exp":1764118800.5,"big":123456789012345678901234567890}`, []byte(testSecret))
	parts := strings.Split(good, ".")
	tests := []struct {
		name    string
		token   string
		want    []diag.Code
		wantMsg string
	}{
		{"valid", good, nil, ""},
		{"unsigned parses", parts[0] + "." + parts[1] + ".", nil, ""},
		{"empty", "", []diag.Code{diag.TokenMalformed}, "empty"},
		{"two segments", parts[0] + "." + parts[1], []diag.Code{diag.TokenMalformed}, "2 dot-separated segment(s), want 3"},
		{"four segments", good + ".x", []diag.Code{diag.TokenMalformed}, "4 dot-separated"},
		{"header not base64url", "%%%." + parts[1] + "." + parts[2], []diag.Code{diag.TokenMalformed}, "header segment is not base64url"},
		{"payload padded", parts[0] + "." + parts[1] + "==." + parts[2], []diag.Code{diag.TokenMalformed}, "'=' padding"},
		{"payload std alphabet", parts[0] + ".ab+/." + parts[2], []diag.Code{diag.TokenMalformed}, "standard base64 alphabet"},
		{"signature not base64url", parts[0] + "." + parts[1] + ".!!", []diag.Code{diag.TokenMalformed}, "signature segment is not base64url"},
		{"header not JSON", b64([]byte("alg")) + "." + parts[1] + "." + parts[2], []diag.Code{diag.TokenMalformed}, "header is not a JSON object"},
		{"payload array", parts[0] + "." + b64([]byte(`[1,2]`)) + "." + parts[2], []diag.Code{diag.TokenMalformed}, "payload is not a JSON object: it is a JSON array"},
		{"payload trailing data", parts[0] + "." + b64([]byte(`{"a":1} {}`)) + "." + parts[2], []diag.Code{diag.TokenMalformed}, "trailing data"},
		{"quoted", `"` + good + `"`, []diag.Code{diag.TokenMalformed}, "wrapped in quotes"},
		{"bearer", "Bearer " + good, []diag.Code{diag.TokenMalformed}, `"Bearer "`},
		{"python bytes", "b'" + good + "'", []diag.Code{diag.TokenMalformed}, "Python bytes repr"},
		{"whitespace", good + "\n", []diag.Code{diag.TokenMalformed}, "surrounding whitespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ds := Parse(tt.token)
			if !sameCodes(ds, tt.want) {
				t.Fatalf("Parse() codes = %v, want %v (%v)", codes(ds), tt.want, ds)
			}
			if (p == nil) != (len(tt.want) > 0) {
				t.Errorf("Parse() parsed = %v, want %v", p != nil, len(tt.want) == 0)
			}
			if tt.wantMsg != "" && !strings.Contains(ds[0].Observed, tt.wantMsg) {
				t.Errorf("Parse() observed = %q, want it to contain %q", ds[0].Observed, tt.wantMsg)
			}
		})
	}
}

func TestParseKeepsNumberText(t *testing.T) {
	p := mustParse(t, rawToken(hs256, `{"exp":1764118800.5,"n":1764118800,"big":123456789012345678901234567890}`, []byte(testSecret)))
	for k, want := range map[string]string{"exp": "1764118800.5", "n": "1764118800", "big": "123456789012345678901234567890"} {
		n, ok := p.Claims[k].(json.Number)
		if !ok || n.String() != want {
			t.Errorf("Claims[%s] = %#v, want json.Number %s", k, p.Claims[k], want)
		}
	}
}

func TestParsedNeverPrintsSignature(t *testing.T) {
	tok := rawToken(hs256, `{"user_id":"u1"}`, []byte(testSecret))
	sig := tok[strings.LastIndexByte(tok, '.')+1:]
	p := mustParse(t, tok)
	for _, s := range []string{
		fmt.Sprint(p), fmt.Sprint(*p), fmt.Sprintf("%v", p), fmt.Sprintf("%+v", *p), fmt.Sprintf("%#v", p),
		fmt.Sprintf("%#v", *p), fmt.Sprintf("%s", p), fmt.Sprintf("%q", p), p.String(), p.Redacted(),
	} {
		if strings.Contains(s, sig) || strings.Contains(s, tok) {
			t.Errorf("formatted Parsed = %q, contains the signature", s)
		}
		if !strings.Contains(s, "<signature dropped>") {
			t.Errorf("formatted Parsed = %q, want the redacted token", s)
		}
	}
}
