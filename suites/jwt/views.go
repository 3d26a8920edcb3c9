package jwt

import (
	"strings"
	"time"

	"github.com/mfconform/mfconform/harness/browser"
	"github.com/mfconform/mfconform/suites/cookieattr"
	"github.com/mfconform/mfconform/suites/jwtcheck"
	"github.com/mfconform/mfconform/suites/result"
)

// cookieRows is the cookie table of the report: the Set-Cookie line as sent
// and stored, then mf_jwt_token on every request that mattered. Values are
// never included.
func cookieRows(ev *LoginEvidence) []result.CookieRow {
	if ev == nil || ev.SetCookie == nil {
		return nil
	}
	a := cookieattr.Parse(ev.SetCookie.Line)
	row := result.CookieRow{
		Where: "Set-Cookie from " + hostPath(ev.SetBy), Name: a.Name, Domain: "(host-only)", Path: "(default)",
		Secure: a.Secure, HttpOnly: a.HttpOnly, SameSite: "(none)", Size: len(a.Name) + len(a.Value),
		Stored: ev.SetCookie.Stored && ev.Stored != nil, Reason: strings.Join(ev.SetCookie.Reasons, ", "),
	}
	if a.Domain != nil {
		row.Domain = *a.Domain
	}
	if a.Path != nil {
		row.Path = *a.Path
	}
	if a.SameSite != nil {
		row.SameSite = *a.SameSite
	}
	if ev.SetCookie.Stored && ev.Stored == nil && row.Reason == "" {
		row.Reason = "dropped without a reason (already expired?)"
	}
	rows := []result.CookieRow{row}
	for _, r := range []struct {
		where string
		v     *browser.CookieVerdict
		seen  bool
	}{
		{"top-level navigation to the app", ev.AppNavCookie, ev.AppErr == nil},
		{"iframe on the other site", ev.Embed.FrameCookie, ev.Embed.Loaded},
		{"credentialed fetch from the other site", ev.Embed.FetchCookie, ev.Embed.Loaded},
		{"link from the other site", ev.Embed.LinkCookie, ev.Embed.Loaded},
	} {
		if !r.seen {
			continue
		}
		cr := result.CookieRow{Where: r.where, Name: CookieName, Sent: "not considered", Stored: ev.Stored != nil}
		if c := ev.Stored; c != nil {
			cr.Domain, cr.Path, cr.Secure, cr.HttpOnly, cr.SameSite, cr.Size = c.Domain, c.Path, c.Secure, c.HTTPOnly, string(c.SameSite), int(c.Size)
		}
		if r.v != nil {
			cr.Sent = "withheld"
			if r.v.Sent {
				cr.Sent = "sent"
			}
			cr.Reason = strings.Join(r.v.Reasons, ", ")
		}
		rows = append(rows, cr)
	}
	// Other cookies of the name the app received: a stale duplicate.
	for _, v := range ev.AppNavCookies {
		if ev.isStored(v) {
			continue
		}
		sentText := "withheld"
		if v.Sent {
			sentText = "sent"
		}
		rows = append(rows, result.CookieRow{Where: "top-level navigation to the app: another mf_jwt_token, not set by this login",
			Name: CookieName, Domain: v.Domain, Path: v.Path, Size: v.Size, Stored: true, Sent: sentText, Reason: strings.Join(v.Reasons, ", ")})
	}
	if ev.Partition != "" && len(rows) > 0 {
		rows[0].Reason = strings.TrimPrefix(rows[0].Reason+", partitioned under "+ev.Partition, ", ")
	}
	return rows
}

func hostPath(x *browser.Exchange) string {
	if x == nil {
		return "the login response"
	}
	return hostOf(x.URL) + pathOf(x.URL)
}

// tokenView is the decoded token for the report, with dates for exp and iat.
func tokenView(p *jwtcheck.Parsed, now time.Time) result.TokenView {
	v := result.TokenView{Redacted: p.Redacted(), Header: p.Header, Claims: p.Claims, Notes: map[string]string{}}
	for _, f := range jwtcheck.Describe(p, now) {
		if f.Name == "exp" || f.Name == "iat" {
			v.Notes[f.Name] = f.Value
		}
	}
	return v
}

// named is a piece of evidence.
func named(name string, v any) result.Named { return result.Named{Name: name, Value: v} }
