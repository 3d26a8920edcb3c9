package jwt

import (
	"fmt"
	"strings"
	"time"

	"github.com/mfconform/mfconform/suites/cookieattr"
	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/judge"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/result"
)

// tokenChecks are the specs about the token the backend set.
var tokenChecks = judge.InArea("token", []string{BundleLogin},
	judge.Check[*Run]{ID: result.JWTToken001, Title: "the cookie holds a compact JWS (three base64url JSON segments)", Judge: tokenWellFormed, After: []result.SpecID{result.JWTCookie001}},
	judge.Check[*Run]{ID: result.JWTToken002, Title: "the token's alg is HS256", After: onTokenAfter, Judge: onToken(func(_ *Run, _ *LoginEvidence, p *jwtcheck.Parsed) judge.Outcome {
		return judge.Findings(jwtcheck.CheckAlg(p)...)
	})},
	judge.Check[*Run]{ID: result.JWTToken003, Title: "the signature verifies with AUTH_SECRET_KEY", After: onTokenAfter, Judge: onToken(func(r *Run, _ *LoginEvidence, p *jwtcheck.Parsed) judge.Outcome {
		if o := r.needSecret("checking the token's signature"); o != nil {
			return *o
		}
		ds := jwtcheck.CheckSignature(p, r.Target.Secret)
		// Which side holds which key is a question only for a signed
		// token: an unsigned one is its own, proven cause.
		alg, _ := p.Alg()
		signed := p.SignatureLen() > 0 && !strings.EqualFold(alg, "none")
		for i := range ds {
			if ds[i].Code == diag.TokenSignatureMismatch && signed {
				ds[i] = r.keys().backendSigns(ds[i])
			}
		}
		return judge.Findings(ds...)
	})},
	judge.Check[*Run]{ID: result.JWTToken004, Title: "user_id is present and a non-empty string", After: onTokenAfter, Judge: onToken(func(_ *Run, _ *LoginEvidence, p *jwtcheck.Parsed) judge.Outcome {
		return judge.Findings(jwtcheck.CheckUserID(p)...)
	})},
	judge.Check[*Run]{ID: result.JWTToken005, Title: "exp is present, numeric and in seconds", After: onTokenAfter, Judge: onToken(func(_ *Run, ev *LoginEvidence, p *jwtcheck.Parsed) judge.Outcome {
		return judge.Findings(jwtcheck.CheckExp(p, ev.ReceivedAt)...)
	})},
	judge.Check[*Run]{ID: result.JWTToken006, Title: "exp, plus the exp leeway (5s by default), is in the future when the token arrives", After: onTokenAfter, Judge: onToken(tokenNotExpired)},
	judge.Check[*Run]{ID: result.JWTToken007, Title: "the token's lifetime is at most the session limit (warn)", After: onTokenAfter, Judge: onToken(func(r *Run, ev *LoginEvidence, p *jwtcheck.Parsed) judge.Outcome {
		return judge.Findings(jwtcheck.CheckLifetime(p, ev.ReceivedAt, r.Thresholds.MaxTokenLifetime)...)
	})},
	judge.Check[*Run]{ID: result.JWTToken008, Title: "optional claims are strings and email is an address", After: onTokenAfter, Judge: onToken(func(_ *Run, _ *LoginEvidence, p *jwtcheck.Parsed) judge.Outcome {
		return judge.Findings(jwtcheck.CheckOptionalClaims(p)...)
	})},
	judge.Check[*Run]{ID: result.JWTToken009, Title: "AUTH_SECRET_KEY is at least 32 bytes and not a placeholder", Judge: tokenSecret, Bundles: judge.NoBundle()},
	judge.Check[*Run]{ID: result.JWTToken010, Title: "the backend's clock agrees with ours (HTTP Date, iat)", After: onTokenAfter, Judge: onToken(tokenClock)},
)

// onTokenAfter are the prerequisites of a judgment of the parsed token
// (onToken): the cookie set (JWT-COOKIE-001), the token well-formed
// (JWT-TOKEN-001).
var onTokenAfter = []result.SpecID{result.JWTCookie001, result.JWTToken001}

// tokenWellFormed is JWT-TOKEN-001: the value is a compact JWS. A JWS
// wrapped in double quotes is not one, although RFC 6265 allows the quotes
// and the common cookie parsers strip them: a warning that says what the
// app answered to the value as the browser sends it, when that was seen
// (the other token specs judge the JWS inside).
func tokenWellFormed(r *Run) judge.Outcome {
	ev, stop := r.needCookie()
	if stop != nil {
		return *stop
	}
	_, ds := jwtcheck.Parse(ev.token())
	if !ev.quoted() {
		return judge.Findings(ds...)
	}
	seen := "mfconform did not see the app answer it"
	if res, ok := r.backendAnswer(); ok {
		seen = "the app answered the value as the browser sends it, quotes and all, with " + answerText(res)
		switch res.verdict() {
		case verdictSignedIn:
			seen += ": its cookie parser strips them"
		case verdictRefused:
			seen += " (JWT-APP-002 judges that answer)"
		}
	}
	inner := "a compact JWS"
	if len(ds) > 0 {
		inner = "not a compact JWS either (TOKEN_MALFORMED)"
	}
	o := judge.Findings(append(ds, diag.Newf(diag.TokenValueQuoted, "the bare token: mf_jwt_token=eyJ…",
		"the value is wrapped in double quotes (mf_jwt_token=\"…\"); between them is %s; %s", inner, seen))...)
	o.Show(result.EvidenceSetCookie, redact.SetCookie(ev.SetCookie.Line))
	return o
}

// onToken wraps a judgment of the backend's parsed token: unmet when the
// backend set no cookie or the token is not a well-formed JWS (JWT-COOKIE-001
// and JWT-TOKEN-001 fail for those), and showing the decoded token.
func onToken(f func(*Run, *LoginEvidence, *jwtcheck.Parsed) judge.Outcome) func(*Run) judge.Outcome {
	return func(r *Run) judge.Outcome {
		ev, stop := r.needCookie()
		if stop != nil {
			return *stop
		}
		p, ds := jwtcheck.Parse(ev.token())
		if p == nil || len(ds) > 0 {
			return judge.Unmet("the token is not a well-formed JWS").By(result.JWTToken001)
		}
		o := f(r, ev, p)
		o.Evidence = append(o.Evidence, named("token", tokenView(p, ev.ReceivedAt)))
		return o
	}
}

// tokenNotExpired is JWT-TOKEN-006. The leeway (thresholds.exp_leeway)
// absorbs when mfconform records the arrival — after the login's page has
// loaded, which on a loaded machine is seconds after the response — so a
// token that expired within it passes, and says so: the title promises
// the leeway, not a strictly future exp (issue 22, A14).
func tokenNotExpired(r *Run, ev *LoginEvidence, p *jwtcheck.Parsed) judge.Outcome {
	c := r.issued(ev, p)
	if ds := jwtcheck.CheckNotExpired(p, c, r.Thresholds.ExpLeeway); len(ds) > 0 {
		return judge.Findings(ds...)
	}
	o := judge.Pass()
	if late := jwtcheck.CheckNotExpired(p, c, 0); len(late) > 0 {
		o.Show("within the leeway", fmt.Sprintf("%s — within the exp leeway of %s, so this spec passes; an app that allows no leeway refuses it (JWT-APP-002)",
			late[0].Observed, r.Thresholds.ExpLeeway))
	}
	return o
}

// tokenSecret is JWT-TOKEN-009: it judges the operator's key and needs no
// backend.
func tokenSecret(r *Run) judge.Outcome {
	if o := r.needSecret("judging the key itself"); o != nil {
		return *o
	}
	return judge.Findings(jwtcheck.CheckSecret(r.Target.Secret)...)
}

// tokenClock is JWT-TOKEN-010: the login response's Date header and the
// token's iat against our clock. With neither there is nothing to compare.
func tokenClock(r *Run, ev *LoginEvidence, p *jwtcheck.Parsed) judge.Outcome {
	c := r.issued(ev, p)
	if !c.Known() {
		return judge.NotJudged(InputClockEvidence,
			"the login response has no HTTP Date header and the token no iat claim: nothing tells the backend's clock")
	}
	return judge.Findings(jwtcheck.CheckClock(diag.TokenClockSkew, "the backend", c, r.Thresholds.ClockTolerance)...)
}

// InputClockEvidence is what JWT-TOKEN-010 needs from the backend when it
// sends neither a Date header nor an iat.
const InputClockEvidence = "a Date header or iat claim from the backend"

// issuedAt returns the token's iat as a time, nil when absent or not numeric.
func issuedAt(p *jwtcheck.Parsed) *time.Time {
	t, ok := p.IssuedAt()
	if !ok {
		return nil
	}
	return &t
}

// clock is what the login response says about the backend's clock, for
// the token it issued in that response: its Date, the token's iat, and
// the lifetime the cookie gave the token.
func (e *LoginEvidence) clock(p *jwtcheck.Parsed) jwtcheck.Clock {
	return jwtcheck.Clock{Ours: e.ReceivedAt, Date: e.LoginDate, IAT: issuedAt(p), Issued: true, CookieLifetime: e.cookieLifetime()}
}

// issued is ev.clock with what the operator said of the backend's zone.
func (r *Run) issued(ev *LoginEvidence, p *jwtcheck.Parsed) jwtcheck.Clock {
	c := ev.clock(p)
	c.Zone = r.Target.BackendZone
	return c
}

// cookieLifetime is the lifetime the Set-Cookie line gives the cookie
// (Max-Age, else Expires minus the login's Date), 0 for none or one in the
// past.
func (e *LoginEvidence) cookieLifetime() time.Duration {
	if e == nil || e.SetCookie == nil {
		return 0
	}
	a := cookieattr.Parse(e.SetCookie.Line)
	switch {
	case a.MaxAge != nil && *a.MaxAge > 0:
		return time.Duration(*a.MaxAge) * time.Second
	case a.MaxAge == nil && a.Expires != nil && a.Expires.After(e.LoginDateOr()):
		return a.Expires.Sub(e.LoginDateOr()).Round(time.Second)
	}
	return 0
}
