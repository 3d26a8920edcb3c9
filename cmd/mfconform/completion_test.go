package main

import (
	"bytes"
	"context"
	"github.com/mfconform/mfconform/suites/result"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// completionScript writes mfconform's completion script for shell into a
// file and returns its path.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"completion", shell}, &out, &errb); code != exitOK {
		t.Fatalf("completion %s: exit %d: %s", shell, code, errb.String())
	}
	p := filepath.Join(t.TempDir(), "mfconform."+shell)
	if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// needShell skips a test when shell is not installed, saying so.
func needShell(t *testing.T, shell string) string {
	t.Helper()
	p, err := exec.LookPath(shell)
	if err != nil {
		t.Skipf("%s is not installed (Debian: apt-get install %s): its completion script is not checked here", shell, shell)
	}
	return p
}

// TestCompletionScriptsParse: each shell's own parser accepts its script
// (bash -n, zsh -n, fish --no-execute), and zsh loads it under compinit.
func TestCompletionScriptsParse(t *testing.T) {
	checks := map[string][][]string{
		"bash": {{"-n"}},
		"zsh":  {{"-n"}, {"-f", "-c", `autoload -Uz compinit && compinit -u -d "$TMPDIR/zcompdump" && source "$0" && (( $+_comps[mfconform] ))`}},
		"fish": {{"--no-execute"}},
	}
	for shell, runs := range checks {
		t.Run(shell, func(t *testing.T) {
			bin := needShell(t, shell)
			script := completionScript(t, shell)
			for _, args := range runs {
				cmd := exec.Command(bin, append(args, script)...)
				cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("%s %s: %v\n%s", shell, strings.Join(args, " "), err, out)
				}
			}
		})
	}
}

// TestBashCompletion completes command lines as bash would and checks
// what it offers.
func TestBashCompletion(t *testing.T) {
	bash := needShell(t, "bash")
	script := completionScript(t, "bash")
	dir := t.TempDir()
	for _, p := range []string{"conf.yaml", "other.txt", "sub/x"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		words []string // the last is the word being completed
		want  []string // exactly, or with contains the ones that must be there
		some  bool
	}{
		{"commands", []string{""}, []string{"run", "config", "specs", "explain", "report", "bundles", "completion", "help"}, true},
		{"a flag", []string{"run", "--resol"}, []string{"--resolve"}, false},
		{"a batch flag is run's too", []string{"run", "--targets", "t.yaml", "--concur"}, []string{"--concurrency"}, false},
		{"--mode's values", []string{"run", "--mode", ""}, []string{"jwt", "supabase", "all"}, false},
		{"--fail-on's values", []string{"run", "--fail-on", ""}, []string{"fail", "warn"}, false},
		{"--color=, = splitting the word", []string{"run", "--color", "=", ""}, []string{"auto", "always", "never"}, false},
		{"--color= as the word", []string{"run", "--color", "="}, []string{"auto", "always", "never"}, false},
		{"--format=j in one word", []string{"run", "--format=j"}, []string{"--format=json"}, false},
		{"a fixture", []string{"run", "--fixture", "samesite-l"}, []string{"samesite-lax"}, false},
		{"a value with nothing to offer", []string{"run", "--login-url", ""}, nil, false},
		{"a FILE", []string{"run", "--config", dir + "/co"}, []string{dir + "/conf.yaml"}, false},
		{"a DIR", []string{"run", "--report-dir", dir + "/"}, []string{dir + "/sub"}, false},
		{"config's subcommand", []string{"config", ""}, []string{"check"}, false},
		{"config check's flags", []string{"config", "check", "--ca-f"}, []string{"--ca-file"}, false},
		{"a bool flag takes no value", []string{"run", "--quiet", "--qui"}, []string{"--quiet"}, false},
		{"explain's codes and spec IDs", []string{"explain", "JWT-COOKIE-00"}, []string{string(result.JWTCookie001), string(result.JWTCookie006), string(result.JWTCookie009)}, true},
		{"explain's codes", []string{"explain", "COOKIE_SAMESITE_N"}, []string{"COOKIE_SAMESITE_NONE_INSECURE", "COOKIE_SAMESITE_NOT_NONE"}, false},
		{"report --format", []string{"report", "--format", ""}, []string{"html", "junit", "md", "json", "sarif", "github"}, false},
		{"shells", []string{"completion", ""}, []string{"bash", "fish", "zsh"}, false},
		{"bundles install DIR", []string{"bundles", "install", dir + "/"}, []string{dir + "/sub"}, false},
		{"serve-reference --mode", []string{"serve-reference", "--mode", "s"}, []string{"supabase"}, false},
		{"help's commands", []string{"help", "ser"}, []string{"serve-reference"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			words := append([]string{"mfconform"}, tt.words...)
			cmd := exec.Command(bash, "-c", `source "$1"; shift; COMP_CWORD=$1; shift; COMP_WORDS=("$@"); _mfconform; printf '%s\n' "${COMPREPLY[@]}"`,
				"bash", script, strconv.Itoa(len(words)-1))
			cmd.Args = append(cmd.Args, words...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			got := strings.Fields(string(out))
			if tt.some {
				for _, w := range tt.want {
					if !slices.Contains(got, w) {
						t.Errorf("completing %q offers %q, want %q among them", tt.words, got, w)
					}
				}
				return
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("completing %q offers %q, want %q", tt.words, got, tt.want)
			}
		})
	}
}

// TestFishCompletion asks fish what it completes with the script loaded.
func TestFishCompletion(t *testing.T) {
	fish := needShell(t, "fish")
	script := completionScript(t, "fish")
	tests := []struct {
		line string
		want []string
		none []string
	}{
		{"mfconform ", []string{"run", "config", "explain", "completion"}, []string{"--mode"}},
		{"mfconform run --mo", []string{"--mode"}, nil},
		{"mfconform run --mode ", []string{"jwt", "supabase", "all"}, []string{"check"}},
		{"mfconform run --color=", []string{"--color=auto", "--color=always", "--color=never"}, nil},
		{"mfconform run --fixture samesite-l", []string{"samesite-lax"}, nil},
		{"mfconform config ", []string{"check"}, []string{"run"}},
		{"mfconform config check --ca", []string{"--ca-file"}, nil},
		{"mfconform explain JWT-COOKIE-00", []string{string(result.JWTCookie006)}, nil},
		{"mfconform serve-reference --", []string{"--print-secrets"}, []string{"--report-dir"}},
		{"mfconform completion ", []string{"bash", "zsh", "fish"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			out, err := exec.Command(fish, "--no-config", "-c", `source $argv[1]; complete -C $argv[2]`, script, tt.line).CombinedOutput()
			if err != nil {
				t.Fatalf("fish: %v\n%s", err, out)
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				w, _, _ := strings.Cut(l, "\t")
				got = append(got, w)
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("fish completes %q with %q, want %q among them", tt.line, got, w)
				}
			}
			for _, n := range tt.none {
				if slices.Contains(got, n) {
					t.Errorf("fish completes %q with %q, which it should not", tt.line, n)
				}
			}
		})
	}
}

// TestCompletionKnowsEveryCommand: completion offers every command there
// is help for and that run dispatches, and nothing else.
func TestCompletionKnowsEveryCommand(t *testing.T) {
	var names []string
	for _, c := range commandSummaries {
		names = append(names, c.name)
		if c.name == "help" {
			continue
		}
		if _, ok := subcommandHelp[c.name]; !ok {
			t.Errorf("completion offers %q, which has no help", c.name)
		}
		var out, errb bytes.Buffer
		run(context.Background(), []string{c.name, "--help"}, &out, &errb)
		if strings.Contains(errb.String(), "unknown command") {
			t.Errorf("completion offers %q, which run does not know", c.name)
		}
	}
	for name := range subcommandHelp {
		if !slices.Contains(names, name) {
			t.Errorf("%q has help but completion does not offer it", name)
		}
	}
	for _, c := range commandFlags {
		if !slices.Contains(names, strings.Fields(c.command)[0]) {
			t.Errorf("%q has flags but completion does not offer it", c.command)
		}
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"completion", shell}, &out, &errb); code != exitOK || !strings.Contains(out.String(), "label-filter") {
			t.Errorf("completion %s: exit %d, %d bytes", shell, code, out.Len())
		}
	}
	var errb bytes.Buffer
	if code := run(context.Background(), []string{"completion", "tcsh"}, &bytes.Buffer{}, &errb); code != exitToolError || !strings.Contains(errb.String(), "want bash, zsh or fish") {
		t.Errorf("completion tcsh: exit %d, %q", code, errb.String())
	}
}
