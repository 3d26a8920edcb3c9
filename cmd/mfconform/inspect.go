package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
)

// maxTokenInput bounds what inspect reads from stdin.
const maxTokenInput = 1 << 20

// stdin is where `inspect -` reads; tests replace it.
var stdin io.Reader = os.Stdin

// inspectCmd is `mfconform inspect [TOKEN|-]`: decode a token, show its
// claims, and check it as the token specs do. AUTH_SECRET_KEY, when set in
// the environment, is used to verify the signature; it is never printed.
func inspectCmd(args []string, stdout io.Writer) (int, error) {
	if len(args) > 1 {
		return exitToolError, fmt.Errorf("%w: inspect takes one token, or - to read it from standard input", errUsage)
	}
	tok := ""
	if len(args) == 1 && args[0] != "-" {
		tok = args[0]
	} else {
		b, err := io.ReadAll(io.LimitReader(stdin, maxTokenInput+1))
		if err != nil {
			return exitToolError, fmt.Errorf("inspect: read standard input: %w", err)
		}
		if len(b) > maxTokenInput {
			return exitToolError, fmt.Errorf("%w: inspect: standard input is larger than %d bytes: that is no token (pipe in one token only)", errUsage, maxTokenInput)
		}
		tok = string(b)
	}
	tok = strings.TrimSpace(tok)
	tok = strings.TrimPrefix(tok, "mf_jwt_token=")
	if tok == "" {
		return exitToolError, fmt.Errorf("%w: inspect: no token given (pass it as an argument or on standard input with -)", errUsage)
	}
	return inspectToken(tok, []byte(os.Getenv("AUTH_SECRET_KEY")), time.Now(), stdout), nil
}

// inspectToken writes what inspect finds in tok, verifying its signature
// with secret when there is one, and returns the exit code. Every line is
// safe to print whatever the token holds: the token without its signature
// and bounded, rows and findings cleaned of control characters, the key
// only as its fingerprint.
func inspectToken(tok string, secret []byte, now time.Time, stdout io.Writer) int {
	fmt.Fprintf(stdout, "token: %s\n", result.Clean(redact.Token(tok)))
	p, ds := jwtcheck.Parse(tok)
	if p != nil && len(ds) == 0 {
		for _, f := range jwtcheck.Describe(p, now) {
			fmt.Fprintf(stdout, "  %-12s %s\n", result.CleanLine(f.Name)+":", result.CleanLine(f.Value))
		}
		ds = append(ds, jwtcheck.CheckAlg(p)...)
		ds = append(ds, jwtcheck.CheckUserID(p)...)
		ds = append(ds, jwtcheck.CheckExp(p, now)...)
		ds = append(ds, jwtcheck.CheckNotExpired(p, jwtcheck.Clock{Ours: now}, 0)...)
		ds = append(ds, jwtcheck.CheckLifetime(p, now, 24*time.Hour)...)
		ds = append(ds, jwtcheck.CheckOptionalClaims(p)...)
		if len(secret) > 0 {
			fmt.Fprintf(stdout, "AUTH_SECRET_KEY: %s (from the environment)\n", redact.Fingerprint(secret))
			ds = append(ds, jwtcheck.CheckSignature(p, secret)...)
			ds = append(ds, jwtcheck.CheckSecret(secret)...)
		} else {
			fmt.Fprintln(stdout, "AUTH_SECRET_KEY: not set — the signature was not checked")
		}
	}
	if len(ds) == 0 {
		fmt.Fprintln(stdout, "\nno findings: the token conforms")
		return exitOK
	}
	fmt.Fprintln(stdout)
	for _, d := range ds {
		fmt.Fprintln(stdout, d.String())
	}
	if diag.Worst(ds).Failing() {
		return exitFailed
	}
	return exitOK
}
