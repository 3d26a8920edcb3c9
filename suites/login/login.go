// Package login runs an operator's scripted sign-in (or sign-out) steps in
// Chromium — navigate, fill from the environment, click, wait for an
// element or a cookie — for both modes' login_script. Each step is bounded.
package login

import (
	"context"
	"fmt"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/env"
)

// pollInterval is how often WaitCookie reads the jar.
const pollInterval = 50 * time.Millisecond

// Run runs the steps of a script named name ("login", "logout") in s, each
// bounded by step. A failing step's error is a *StepError naming it by
// number and kind, never by a filled value.
func Run(ctx context.Context, s *browser.Session, name string, steps []env.LoginStep, step time.Duration) error {
	for i, st := range steps {
		sctx, cancel := context.WithTimeout(ctx, step)
		var err error
		switch {
		case st.Navigate != "":
			_, err = s.Navigate(sctx, st.Navigate)
		case st.Fill != "":
			err = s.Fill(sctx, st.Fill, st.Value)
		case st.Click != "":
			err = s.Click(sctx, st.Click)
		case st.Wait != "":
			err = s.WaitVisible(sctx, st.Wait)
		case st.WaitCookie != "":
			err = WaitCookie(sctx, s, st.WaitCookie)
		}
		cancel()
		if err != nil {
			return &StepError{Script: name, Number: i + 1, Step: st, Err: err}
		}
	}
	return nil
}

// StepError is a step of a script that failed: which (by number and
// kind, never by a filled value) and why.
type StepError struct {
	Script string // "login", "logout"
	Number int    // from 1
	Step   env.LoginStep
	Err    error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("%s step %d (%s): %v", e.Script, e.Number, Describe(e.Step), e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// OnPage reports whether the step works on a page that had loaded (fill,
// click, wait): its failure is the script's or the page's, never the
// network's. A navigate step's failure is the network's or the server's.
func (e *StepError) OnPage() bool { return e.Step.Navigate == "" }

// Describe names a step without its value: "fill #password from $TEST_PASSWORD".
func Describe(st env.LoginStep) string {
	switch {
	case st.Navigate != "":
		return "navigate " + st.Navigate
	case st.Fill != "":
		return "fill " + st.Fill + " from $" + st.Env
	case st.Click != "":
		return "click " + st.Click
	case st.Wait != "":
		return "wait for " + st.Wait
	case st.WaitCookie != "":
		return "wait for cookie " + st.WaitCookie
	}
	return "empty step"
}

// Valid reports whether a step sets exactly one action (fill with its env).
func Valid(st env.LoginStep) bool {
	n := 0
	for _, v := range []string{st.Navigate, st.Fill, st.Click, st.Wait, st.WaitCookie} {
		if v != "" {
			n++
		}
	}
	return n == 1 && (st.Fill == "" || st.Env != "")
}

// WaitCookie polls the jar until a cookie named name — or its first chunk
// name.0 — is stored, or ctx ends.
func WaitCookie(ctx context.Context, s *browser.Session, name string) error {
	for {
		jar, err := s.Cookies(ctx)
		if err != nil {
			return err
		}
		for _, c := range jar {
			if c.Name == name || c.Name == name+".0" {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cookie %s never arrived: %w", name, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}
