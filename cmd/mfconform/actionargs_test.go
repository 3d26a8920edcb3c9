package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseActionArgs(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr string
	}{
		{name: "empty", in: "", want: nil},
		{name: "one a line, blanks and comments skipped", in: "--thorough\n\n  --probe-path=/api/me  \r\n# a comment\n--login-script\n./login steps.yaml\n",
			want: []string{"--thorough", "--probe-path=/api/me", "--login-script", "./login steps.yaml"}},
		{name: "a value with spaces stays one argument", in: "--label-filter=area:cookie && !slow\n",
			want: []string{"--label-filter=area:cookie && !slow"}},
		{name: "shell syntax is text", in: "$(touch /tmp/x)\n`id`\n'quoted'\n",
			want: []string{"$(touch /tmp/x)", "`id`", "'quoted'"}},
		{name: "a block YAML list", in: "# args\n- --thorough\n- \"--probe-path=/api/me me\"\n- '--resolve'\n- 'login.acme.test=10.0.0.1'\n- 5\n",
			want: []string{"--thorough", "--probe-path=/api/me me", "--resolve", "login.acme.test=10.0.0.1", "5"}},
		{name: "a flow YAML list", in: `["--thorough", "--probe-path=/api/me"]`, want: []string{"--thorough", "--probe-path=/api/me"}},
		{name: "a nested item is refused", in: "- --thorough\n- [a, b]\n", wantErr: "item 2 of the args list is not a plain value"},
		{name: "a list that does not parse", in: "- \"unterminated\n", wantErr: "does not parse"},
		{name: "a NUL is refused", in: "--mode\x00jwt", wantErr: "NUL"},
		{name: "too many", in: strings.Repeat("-x\n", maxActionArgs+1), wantErr: "at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseActionArgs(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseActionArgs() error = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseActionArgs() error = %v", err)
			}
			if strings.Join(got, "\x00") != strings.Join(tt.want, "\x00") || len(got) != len(tt.want) {
				t.Errorf("ParseActionArgs() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestActionArgsCmdPrintsNULSeparated(t *testing.T) {
	var out bytes.Buffer
	if err := actionArgsCmd(strings.NewReader("- a b\n- c\n"), &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "a b\x00c\x00" {
		t.Errorf("output = %q, want %q", got, "a b\x00c\x00")
	}
	if err := actionArgsCmd(strings.NewReader(strings.Repeat("x", maxActionArgsText+1)), &out); err == nil {
		t.Error("an oversized input was accepted")
	}
}
