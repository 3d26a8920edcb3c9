package runner

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/suggest"
	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/result"
)

// Prepare is the one way a run's configuration is built and checked —
// `run` and `config check` both take it, so they accept and reject the
// same inputs with the same words: Load (flags, the configuration file,
// the environment, the fixture, the waivers file, the secret file, login
// scripts' variables), then Validate (every setting's value, the CA file,
// the browser binary, the waivers' spec IDs and codes, the label filter's
// labels and that it selects a spec, the hosts mfconform serves against
// the ones the operator names). Nothing starts: no server, no browser.
func Prepare(args []string, getenv func(string) string) (Config, error) {
	cfg, err := Load(args, getenv)
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// validateInputs checks what the run will read or run besides the
// settings' own values: the files it names, the names its waivers use,
// and the specs its filters leave.
func (c Config) validateInputs() error {
	if c.Network.CAFile != "" {
		if _, err := loadCAFile(c.Network.CAFile); err != nil {
			return fmt.Errorf("%w: %s %w", ErrConfig, Settings.Label("network.ca_file", c.sources), err)
		}
	}
	if p := c.ChromiumPath; p != "" && c.SharedBrowser == "" {
		if _, err := exec.LookPath(p); err != nil {
			return fmt.Errorf("%w: %s %q is not an executable: %s; %s", ErrConfig, Settings.Label("chromium", c.sources),
				result.Clean(p), result.Clean(unwrapPath(err)), browser.InstallHint)
		}
	}
	if err := c.validateWaivers(); err != nil {
		return err
	}
	if len(selected(c)) == 0 {
		return fmt.Errorf("%w: the label filter %q selects no spec in mode %s (`mfconform specs` lists the specs and their labels)", ErrConfig, c.LabelFilter, c.Mode)
	}
	return nil
}

// validateWaivers checks that every waiver names a spec or a code that
// exists. A typo is an error before anything runs; a waiver for a real
// spec or code that matches nothing in a run is only stale, and the run
// says so (result.ApplyWaivers).
func (c Config) validateWaivers() error {
	for i, w := range c.Waivers {
		var err error
		switch {
		// The file's text is not echoed (a file named by mistake stays
		// unprinted): the entry's number and mfconform's closest names.
		case w.Spec != "" && !slices.Contains(SpecIDs(), string(w.Spec)):
			err = fmt.Errorf("its spec is no spec of mfconform's%s; `mfconform specs` lists them", suggest.Phrase("", suggest.Closest(string(w.Spec), SpecIDs())))
		case w.Code != "" && !slices.Contains(Codes(), w.Code):
			err = fmt.Errorf("its code is no diagnostic code of mfconform's%s; `mfconform explain` lists them", suggest.Phrase("", suggest.Closest(w.Code, Codes())))
		}
		if err != nil {
			return fmt.Errorf("%w: %s %s: waiver %d: %w", ErrConfig, Settings.Label("waivers", c.sources), result.Clean(c.WaiversFile), i+1, err)
		}
	}
	return nil
}

// maxCAFile bounds the --ca-file read (a bundle of a few hundred
// certificates fits).
const maxCAFile = 4 << 20

// loadCAFile reads the operator's private CA file and checks that it is
// what Chromium and the Go client will be given: one or more PEM
// certificates that parse, and no private key.
func loadCAFile(path string) ([]byte, error) {
	b, err := ReadFileLimit(path, maxCAFile)
	if err != nil {
		return nil, fmt.Errorf("%q: %s", result.Clean(path), result.Clean(unwrapPath(err)))
	}
	rest, certs := b, 0
	for n := 1; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch {
		case strings.Contains(block.Type, "PRIVATE KEY"):
			return nil, fmt.Errorf("%q holds a private key (PEM block %d): give mfconform the CA's certificate only, and keep the key secret", result.Clean(path), n)
		case block.Type != "CERTIFICATE":
			continue
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return nil, fmt.Errorf("%q: PEM block %d is not a certificate: %s", result.Clean(path), n, result.Clean(err.Error()))
		}
		certs++
	}
	if certs == 0 {
		return nil, fmt.Errorf("%q holds no PEM certificate (want -----BEGIN CERTIFICATE-----)", result.Clean(path))
	}
	return b, nil
}

// LoadCAFile reads a private CA file as --ca-file does and checks it the
// same way (PEM certificates that parse, no private key); its error begins
// with the quoted path.
func LoadCAFile(path string) ([]byte, error) { return loadCAFile(path) }

// CheckCAFile is LoadCAFile as a setting's check: nil for no file.
func CheckCAFile(path string) error {
	if path == "" {
		return nil
	}
	_, err := loadCAFile(path)
	return err
}

// unwrapPath drops the path an *fs.PathError repeats ("open x: no such
// file" becomes "no such file").
func unwrapPath(err error) string {
	if u := errors.Unwrap(err); u != nil {
		return u.Error()
	}
	return err.Error()
}

// ansiSGR matches the colour sequences Ginkgo's errors carry.
var ansiSGR = regexp.MustCompile("\x1b\\[[0-9;]*m")

// labelSyntax words Ginkgo's label-filter syntax error on one line, without
// its colours: "Missing set operation (at character 5)".
func labelSyntax(err error) string {
	var ge types.GinkgoError
	if !errors.As(err, &ge) {
		return result.Clean(strings.Join(strings.Fields(ansiSGR.ReplaceAllString(err.Error(), "")), " "))
	}
	lines := strings.Split(strings.TrimSpace(ge.Message), "\n")
	msg := strings.TrimSuffix(strings.TrimSpace(lines[len(lines)-1]), ".")
	if i := strings.Index(lines[0], "{{red}}"); i >= 0 && len(lines) > 1 {
		msg += fmt.Sprintf(" (at character %d)", utf8.RuneCountInString(lines[0][:i])+1)
	}
	return result.Clean(msg) + "; the syntax: https://onsi.github.io/ginkgo/#spec-labels"
}

// checkLabels checks that every label a filter names is one some spec
// carries: Ginkgo would accept an unknown one and select nothing, or, after
// a "!", silently exclude nothing. Set expressions (`area: containsAny
// {…}`) and regular expressions (`/…/`) are left to Ginkgo.
func checkLabels(filter string) error {
	known := SpecLabels()
	for _, l := range filterLabels(filter) {
		if slices.ContainsFunc(known, func(k string) bool { return strings.EqualFold(k, l) }) {
			continue
		}
		return fmt.Errorf("%q: no spec has the label %q%s; `mfconform specs` lists the labels",
			filter, l, suggest.Phrase("", suggest.Closest(l, known)))
	}
	return nil
}

// filterLabels lists the plain labels of a label filter Ginkgo parses,
// tokenised as Ginkgo's types/label_filter.go does: operators &&, ||, !,
// ',' and parentheses; /regexp/; "key: operation {…}" set expressions,
// skipped; anything else up to an operator is a label.
func filterLabels(filter string) []string {
	if _, err := types.ParseLabelFilter(filter); err != nil {
		return nil
	}
	var out []string
	rs := []rune(filter)
	until := func(i int, stop string) int {
		for i < len(rs) && !strings.ContainsRune(stop, rs[i]) {
			i++
		}
		return i
	}
	for i := 0; i < len(rs); {
		switch rs[i] {
		case ' ', '&', '|', '!', ',', '(', ')':
			i++
			continue
		case '/':
			i = until(i+1, "/") + 1
			continue
		}
		j := until(i, "&|!,()/:")
		if j < len(rs) && rs[j] == ':' {
			if j+1 < len(rs) && rs[j+1] == ' ' {
				// A set expression: key, operation, argument.
				k := until(j+2, " )")
				for k < len(rs) && rs[k] == ' ' {
					k++
				}
				if k < len(rs) && rs[k] == '{' {
					k = until(k, "}") + 1
				} else {
					k = until(k, "&|!,()/")
				}
				i = k
				continue
			}
			j = until(j, "&|!,()/")
		}
		if l := strings.TrimSpace(string(rs[i:j])); l != "" {
			out = append(out, l)
		}
		i = j
	}
	return out
}
