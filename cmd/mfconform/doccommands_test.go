package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/cmd/mfconform/internal/settings"
	"github.com/mfconform/mfconform/suites/result"
)

// docCommand is one mfconform command line of a fenced code block in
// README.md or docs/*.md: continuation lines joined, split into words as
// a shell would (quotes removed, no expansion), its trailing comment apart.
type docCommand struct {
	env     []string // NAME=value words before mfconform
	args    []string // the words after mfconform
	comment string   // the text after an unquoted #
	where   []string // file:line of each place it is shown
}

// key is how the expectation table below names a command: its words
// joined by spaces, without "mfconform".
func (c *docCommand) key() string {
	return strings.Join(append(slices.Clone(c.env), c.args...), " ")
}

// docExpect is what a documented command must do when the test runs it,
// or why it is not run.
type docExpect struct {
	// exit is the exit code the docs promise (0 conformant, 1 failed …).
	exit int
	// stdout must appear in what the command prints ("" for anything).
	stdout string
	// skip, when set, is why the command is not run: it needs a real
	// deployment, a program or a terminal the test does not have. Its
	// words are still parsed by the command's own flag table, so a
	// renamed or misspelt flag fails the test.
	skip string
	// vars are values for the shell variables a skipped command uses,
	// like the ones serve-reference's env file sets, for parsing it.
	vars map[string]string
}

// docCommandExpectations lists every mfconform command the docs show,
// with the exit code they promise or why it is not run. A command shown
// in a doc and missing here fails TestDocCommands, and so does a row no
// doc shows any more.
var docCommandExpectations = map[string]docExpect{
	// README: the first commands and the first staging run.
	"run":                      {exit: exitOK, stdout: "verdict: CONFORMANT"},
	"run --fixture host-only":  {exit: exitFailed, stdout: "COOKIE_HOST_ONLY"},
	"explain COOKIE_HOST_ONLY": {exit: exitOK, stdout: "COOKIE_HOST_ONLY"},
	"fixtures":                 {exit: exitOK, stdout: "host-only"},
	"run --login-url https://login.staging.example.com/auth/mf --app-url https://miiflow.staging.example.com --ca-file corp-root.pem --resolve *.staging.example.com=10.20.0.15": {
		skip: "a real staging deployment (staging.example.com) behind the operator's CA"},
	"run --app-origin https://miiflow.staging.example.com --ca-file corp-root.pem --resolve *.staging.example.com=10.20.0.15": {
		skip: "a real Supabase project and app (staging.example.com)"},
	// docs/install.md
	"bundles install ~/.local/share/mfconform": {skip: "runs npm, which fetches the pinned packages from the registry"},
	"version": {exit: exitOK, stdout: "mfconform"},
	// docs/diagnostics.md
	"run --fixture django-host-only": {exit: exitFailed, stdout: "(Django)"},
	"explain JWT-COOKIE-002":         {exit: exitOK, stdout: "COOKIE_HOST_ONLY"},
	"explain":                        {exit: exitOK, stdout: "COOKIE_HOST_ONLY"},
	// docs/specs.md
	"run --fixture samesite-lax": {exit: exitFailed, stdout: "COOKIE_SAMESITE_NOT_NONE"},
	"specs":                      {exit: exitOK, stdout: string(result.JWTCookie002)},
	// docs/supabase.md
	"run --fixture sb-cookie-host-only": {exit: exitFailed, stdout: "SUPABASE_COOKIE_HOST_ONLY"},
	// docs/reports.md
	"report --from docs/report-example.json --format md --out -":     {exit: exitOK, stdout: "### What to fix"},
	"report --from docs/report-example.json --format github --out -": {exit: exitOK, stdout: "::error title="},
	// docs/staging.md
	"serve-reference --env-out ref.env --ca-out ref.pem": {skip: "serves until Ctrl-C"},
	"run --login-url $MFCONFORM_LOGIN_URL --app-url $MFCONFORM_APP_URL --ca-file ref.pem --resolve *.acme.test=127.0.0.1": {
		skip: "needs serve-reference running in another terminal (its ref.env and ref.pem)",
		vars: map[string]string{"MFCONFORM_LOGIN_URL": "https://login.acme.test:41234/login", "MFCONFORM_APP_URL": "https://app.acme.test:41235"}},
	"config check --login-url https://login.staging.acme.com/auth/mf --app-url https://miiflow.staging.acme.com --ca-file corp-root.pem --resolve *.staging.acme.com=10.20.0.15": {
		skip: "the operator's CA file (corp-root.pem) and staging hosts"},
	// docs/watch-production.md
	"exporter --config deploy/exporter.yaml": {skip: "serves until Ctrl-C"},
}

// TestDocCommands runs every mfconform command shown in a fenced code
// block of README.md and docs/*.md that targets the embedded reference
// deployment (or a file in the checkout) and checks the exit code the
// docs promise — a "# … exit N" comment beside the command must agree —
// and a line of its output. The commands that need a real deployment are
// listed above with the reason; their flags are parsed by the command's
// own table, so a renamed flag fails here too.
func TestDocCommands(t *testing.T) {
	if binary == "" {
		t.Skip("no mfconform binary (TestMain did not build one)")
	}
	cmds := extractDocCommands(t, readDocs(t))
	if len(cmds) < 10 {
		t.Fatalf("found only %d mfconform commands in the docs: is the extraction broken?", len(cmds))
	}
	for _, key := range slices.Sorted(maps.Keys(docCommandExpectations)) {
		if _, ok := cmds[key]; !ok {
			t.Errorf("docCommandExpectations lists %q, which no doc shows any more: remove the row", key)
		}
	}
	ran := 0
	for _, key := range slices.Sorted(maps.Keys(cmds)) {
		c := cmds[key]
		want, ok := docCommandExpectations[key]
		if !ok {
			t.Errorf("%s: `mfconform %s` is shown but not in docCommandExpectations: add its exit code, or why it cannot run here", strings.Join(c.where, ", "), key)
			continue
		}
		if m := docExitComment.FindStringSubmatch(c.comment); m != nil {
			if n, _ := strconv.Atoi(m[1]); want.skip != "" || n != want.exit {
				t.Errorf("%s: the comment says exit %d; the table says %d (skip: %q)", strings.Join(c.where, ", "), n, want.exit, want.skip)
			}
		}
		t.Run(key, func(t *testing.T) {
			args, err := expandDocVars(c.args, want.vars)
			if err == nil {
				err = parseDocCommand(args)
			}
			if err != nil {
				t.Fatalf("%s: `mfconform %s` does not parse: %v", strings.Join(c.where, ", "), key, err)
			}
			if want.skip != "" {
				t.Skipf("flags parse; not run: %s", want.skip)
			}
			ran++
			code, out := runDocCommand(t, c, args)
			if code != want.exit {
				t.Errorf("%s: `mfconform %s` exited %d, the docs say %d:\n%s", strings.Join(c.where, ", "), key, code, want.exit, out)
			}
			if !strings.Contains(out, want.stdout) {
				t.Errorf("%s: `mfconform %s` printed no %q:\n%s", strings.Join(c.where, ", "), key, want.stdout, out)
			}
		})
	}
	t.Logf("%d documented commands, %d run", len(cmds), ran)
}

// docExitComment is how a command's comment states its exit code.
var docExitComment = regexp.MustCompile(`\bexit (\d+)\b`)

// docFence opens or closes a fenced code block.
var docFence = regexp.MustCompile("^\\s*(```|~~~)")

// docCommandLine is a line that runs mfconform: NAME=value words, then
// mfconform and its arguments.
var docCommandLine = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*=\S*\s+)*mfconform(\s|$)`)

// docEnvWord is a NAME=value word before the command.
var docEnvWord = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// extractDocCommands finds every line of a fenced code block that runs
// mfconform (after an optional "$ " prompt and NAME=value words), keyed
// as docCommandExpectations is; the same command shown twice is one.
func extractDocCommands(t *testing.T, docs map[string]string) map[string]*docCommand {
	t.Helper()
	cmds := map[string]*docCommand{}
	for _, file := range slices.Sorted(maps.Keys(docs)) {
		lines := strings.Split(docs[file], "\n")
		fenced := false
		for i := 0; i < len(lines); i++ {
			if docFence.MatchString(lines[i]) {
				fenced = !fenced
				continue
			}
			if !fenced {
				continue
			}
			at := i + 1
			line := strings.TrimPrefix(strings.TrimSpace(lines[i]), "$ ")
			if !docCommandLine.MatchString(line) {
				continue
			}
			for strings.HasSuffix(line, `\`) && i+1 < len(lines) {
				i++
				line = strings.TrimSuffix(line, `\`) + " " + strings.TrimSpace(lines[i])
			}
			words, comment, err := shellWords(line)
			if err != nil {
				t.Errorf("%s:%d: %v", file, at, err)
				continue
			}
			n := 0
			for n < len(words) && docEnvWord.MatchString(words[n]) {
				n++
			}
			if n == len(words) || words[n] != "mfconform" {
				continue
			}
			c := &docCommand{env: words[:n], args: words[n+1:], comment: comment}
			if prev, ok := cmds[c.key()]; ok {
				c = prev
			} else {
				cmds[c.key()] = c
			}
			c.where = append(c.where, fmt.Sprintf("%s:%d", file, at))
		}
		if fenced {
			t.Errorf("%s: a code fence is never closed", file)
		}
	}
	return cmds
}

// shellWords splits a command line as a POSIX shell splits words, for the
// subset the docs use: quotes and backslashes, a # comment. Anything that
// would make the shell do more (pipes, redirections, substitutions,
// several commands) is an error: a documented command the test cannot run
// as written.
func shellWords(line string) (words []string, comment string, err error) {
	var w strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case ch == ' ' || ch == '\t':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
		case ch == '#' && !inWord:
			return words, strings.TrimSpace(line[i+1:]), nil
		case ch == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, "", fmt.Errorf("unclosed ' in %q", line)
			}
			w.WriteString(line[i+1 : i+1+j])
			i, inWord = i+1+j, true
		case ch == '"':
			j := strings.IndexByte(line[i+1:], '"')
			if j < 0 {
				return nil, "", fmt.Errorf("unclosed \" in %q", line)
			}
			w.WriteString(line[i+1 : i+1+j])
			i, inWord = i+1+j, true
		case ch == '\\' && i+1 < len(line):
			w.WriteByte(line[i+1])
			i, inWord = i+1, true
		case strings.IndexByte("|&;<>`", ch) >= 0 || (ch == '$' && i+1 < len(line) && line[i+1] == '('):
			if slices.Contains(words, "mfconform") || strings.HasPrefix(w.String(), "mfconform") || strings.Contains(line[:i], "mfconform") {
				return nil, "", fmt.Errorf("%q: the test runs a documented mfconform command as one command; show pipes, redirections and substitutions outside the fence, or on a line of their own", line)
			}
			return nil, "", nil // not an mfconform line
		default:
			w.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, "", nil
}

// docVar is a shell variable in a documented command.
var docVar = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)

// expandDocVars replaces the shell variables of args with vars' values;
// a variable vars does not give is an error.
func expandDocVars(args []string, vars map[string]string) ([]string, error) {
	out := slices.Clone(args)
	var missing []string
	for i, a := range out {
		out[i] = docVar.ReplaceAllStringFunc(a, func(v string) string {
			name := docVar.FindStringSubmatch(v)[1]
			val, ok := vars[name]
			if !ok {
				missing = append(missing, name)
			}
			return val
		})
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("uses $%s: give a value in its row's vars", strings.Join(missing, ", $"))
	}
	return out, nil
}

// parseDocCommand parses a documented command's words with the flag
// table of its command, as the binary does before anything runs: a
// command, flag or flag value the binary would refuse is an error.
func parseDocCommand(args []string) error {
	if len(args) == 0 {
		return errors.New("no command")
	}
	var rest []string
	var err error
	switch {
	case args[0] == "run" && slices.Contains(args, "--targets"):
		rest, err = parseWith(batchSettings, args[1:])
	case args[0] == "run":
		rest, err = parseWith(runner.Settings, args[1:])
	case args[0] == "config" && len(args) > 1 && args[1] == "check":
		rest, err = parseWith(runner.Settings, args[2:])
	case args[0] == "serve-reference":
		rest, err = parseWith(serveSettings, args[1:])
	case args[0] == "exporter":
		rest, err = parseWith(exporterSettings, args[1:])
	case args[0] == "report":
		rest, err = parseWith(reportSettings, args[1:])
	case args[0] == "specs":
		rest, err = parseWith(specsSettings, args[1:])
	case args[0] == "bundles":
		if len(args) != 3 || args[1] != "install" {
			return fmt.Errorf("want bundles install DIR, got %q", args)
		}
	case args[0] == "explain":
		if len(args) > 2 {
			return fmt.Errorf("explain takes one code or spec ID, got %q", args[1:])
		}
	default:
		if len(args) > 1 {
			return fmt.Errorf("%s takes no arguments here, got %q", args[0], args[1:])
		}
		known := false
		for _, c := range commandSummaries {
			known = known || c.name == args[0]
		}
		if !known {
			return fmt.Errorf("no command %q", args[0])
		}
	}
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("arguments left after the flags: %q", rest)
	}
	return nil
}

// parseWith parses args with a command's flag table and checks each
// value as the command does (one of the allowed words, a duration, a
// resolve rule …); it returns the arguments left after the flags.
func parseWith[C any](table *settings.Table[C], args []string) ([]string, error) {
	cl, err := table.Parse(args)
	if err != nil {
		return nil, err
	}
	if err := table.Validate(cl.Values(), nil); err != nil {
		return nil, err
	}
	return cl.Args(), nil
}

// runDocCommand runs a documented command (args: its words, variables
// expanded) with the test binary from the module root (so the docs' paths
// resolve), with its own TMPDIR, none of the operator's mfconform
// variables or secrets, and its reports in a temporary folder; it returns
// the exit code and what it printed.
func runDocCommand(t *testing.T, c *docCommand, args []string) (int, string) {
	t.Helper()
	args = slices.Clone(args)
	switch {
	case args[0] == "run" && !slices.Contains(args, "--report-dir"):
		args = append(args, "--report-dir", t.TempDir(), "--color", "never")
	case args[0] == "report" && !slices.Contains(args, "--out"):
		t.Fatalf("`mfconform %s` writes beside its --from, into the checkout: show it with --out - or a folder of its own", c.key())
	}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "MFCONFORM_") || strings.Contains(name, "SUPABASE") || name == "AUTH_SECRET_KEY" || name == "TMPDIR" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "TMPDIR="+shortTempDir(t))
	env = append(env, c.env...)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir, cmd.Env = repoRoot, env
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String()
	case err != nil:
		t.Fatalf("mfconform %s: %v", c.key(), err)
	}
	return 0, out.String()
}

// TestDocCommandExtraction: the extraction finds commands after a prompt,
// variables and continuation lines, leaves other programs and prose
// alone, and refuses a command the test could not run as written.
func TestDocCommandExtraction(t *testing.T) {
	doc := "prose: mfconform run --fixture x\n" +
		"```sh\n" +
		"$ mfconform run --fixture host-only   # exit 1\n" +
		"NAME=v mfconform explain 'A B' \\\n  \"C\"\n" +
		"make run    # mfconform run\n" +
		"echo a | grep b\n" +
		"mfconform run --fixture host-only\n" +
		"```\n" +
		"```text\nmfconform specs\n```\n"
	got := extractDocCommands(t, map[string]string{"x.md": doc})
	want := map[string][]string{
		"run --fixture host-only": {"x.md:3", "x.md:8"},
		"NAME=v explain A B C":    {"x.md:4"},
		"specs":                   {"x.md:11"},
	}
	if len(got) != len(want) {
		t.Errorf("extracted %d commands, want %d: %v", len(got), len(want), slices.Sorted(maps.Keys(got)))
	}
	for k, where := range want {
		if c, ok := got[k]; !ok || !slices.Equal(c.where, where) {
			t.Errorf("command %q: got %+v, want it at %v", k, c, where)
		}
	}
	if c := got["run --fixture host-only"]; c == nil || c.comment != "exit 1" {
		t.Errorf("the comment of the first command is lost: %+v", c)
	}
	for _, bad := range []string{"mfconform run --format json | jq .", "mfconform run > out.txt", "mfconform run 'unclosed"} {
		if _, _, err := shellWords(bad); err == nil {
			t.Errorf("shellWords(%q) = nil error, want a refusal", bad)
		}
	}
	for _, args := range [][]string{{"run", "--resolv", "a=1.2.3.4"}, {"run", "--mode", "both"}, {"nosuch"}, {"config", "check", "--ca-fil", "x"}, {"run", "stray"}} {
		if err := parseDocCommand(args); err == nil {
			t.Errorf("parseDocCommand(%q) = nil, want an error", args)
		}
	}
	if err := parseDocCommand([]string{"run", "--resolve", "*.staging.example.com=10.20.0.15", "--ca-file", "corp-root.pem"}); err != nil {
		t.Errorf("a good command line does not parse: %v", err)
	}
}
