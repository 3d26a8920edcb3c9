package stack

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/jwtcheck"
)

// vendorExp is the vendor page's way of computing exp, the naive-datetime
// trap; vendorIAT is iat computed the same way.
const (
	vendorExp = `(datetime.utcnow() + timedelta(hours=1)).timestamp()`
	vendorIAT = `datetime.utcnow().timestamp()`
)

// pythonToken signs claims computed by Python under the zone tz.
func pythonToken(ctx context.Context, t *testing.T, tz, claims string) string {
	t.Helper()
	script := "import jwt, os, time\nfrom datetime import datetime, timedelta, timezone\nclass User:\n    id = 42\nuser = User()\n" + claims + "\nprint(token)\n"
	cmd := exec.CommandContext(ctx, python, "-c", script)
	cmd.Env = append(cmd.Environ(), "TZ="+tz, "AUTH_SECRET_KEY="+testSecret)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python under TZ=%s: %v\n%s", tz, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestTimezoneTrapFromRealPython signs tokens with the vendor's snippet in
// real Python under zones east and west of Greenwich and checks that the
// token checks name the zone's offset — as the fact (TOKEN_EXP_TIMEZONE)
// when iat pins it against the server's Date, as the first hypothesis of
// TOKEN_EXPIRED when only exp tells it; the fixed snippet of the fix table
// passes under the same zone.
func TestTimezoneTrapFromRealPython(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	buggy := func(withIAT bool) string {
		c := `{"user_id": "42", "exp": ` + vendorExp
		if withIAT {
			c += `, "iat": ` + vendorIAT
		}
		return `token = jwt.encode(` + c + `}, os.environ["AUTH_SECRET_KEY"], algorithm="HS256")`
	}
	tests := []struct {
		name, tz string
		claims   string
		want     []diag.Code
		wantText string
	}{
		// Without iat nothing pins the zone: expired, with the zone as
		// the first hypothesis.
		{"vendor snippet at UTC+8", "Etc/GMT-8", buggy(false), []diag.Code{diag.TokenExpired}, "UTC+8"},
		{"vendor snippet at UTC+5:30", "Asia/Kolkata", buggy(false), []diag.Code{diag.TokenExpired}, "UTC+5:30"},
		{"vendor snippet with iat at UTC+8", "Etc/GMT-8", buggy(true), []diag.Code{diag.TokenExpTimezone}, "UTC+8"},
		{"vendor snippet with iat at UTC−8", "Etc/GMT+8", buggy(true), []diag.Code{diag.TokenExpTimezone}, "UTC−8"},
		{"vendor snippet at UTC", "UTC", buggy(true), nil, ""},
		{"fixed snippet at UTC+8", "Etc/GMT-8", pyJWTEncode, nil, ""},
		{"fixed snippet at UTC−8", "Etc/GMT+8", pyJWTEncode, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := pythonToken(ctx, t, tt.tz, tt.claims)
			now := time.Now()
			p, ds := jwtcheck.Parse(tok)
			if p == nil {
				t.Fatalf("Parse: %v", ds)
			}
			c := jwtcheck.Clock{Ours: now, Date: now.Truncate(time.Second), Issued: true}
			if iat, ok := p.IssuedAt(); ok {
				c.IAT = &iat
			}
			ds = append(ds, jwtcheck.CheckNotExpired(p, c, 0)...)
			ds = append(ds, jwtcheck.CheckClock(diag.TokenClockSkew, "the backend", c, time.Minute)...)
			var got []diag.Code
			for _, d := range ds {
				got = append(got, d.Code)
				zone := d.Claim.Zone // a fact
				if d.Code == diag.TokenExpired && len(d.Hypotheses) > 0 {
					zone = d.Hypotheses[0].Claim.Zone // the first hypothesis
				}
				if tt.wantText != "" && zone != tt.wantText {
					t.Errorf("%s names zone %q, want %s:\n%s", d.Code, zone, tt.wantText, d)
				}
			}
			if strings.Join(codeStrings(got), ",") != strings.Join(codeStrings(tt.want), ",") {
				t.Errorf("codes = %v, want %v (%v)", got, tt.want, ds)
			}
		})
	}
}

func codeStrings(cs []diag.Code) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c))
	}
	return out
}
