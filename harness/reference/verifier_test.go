package reference

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// faultProfiles are the verifier faults by name; "strict" has none.
var faultProfiles = map[string]AppProfile{
	"strict":               {},
	"AcceptAlgNone":        {AcceptAlgNone: true},
	"AcceptOtherHMAC":      {AcceptOtherHMAC: true},
	"IgnoreExp":            {IgnoreExp: true},
	"SkipSignature":        {SkipSignature: true},
	"AllowMissingUserID":   {AllowMissingUserID: true},
	"RejectFractionalExp":  {RejectFractionalExp: true},
	"ServerErrorOnGarbage": {ServerErrorOnGarbage: true},
	"IdentityOverride":     {IdentityOverride: "admin"},
}

func TestVerify(t *testing.T) {
	good := identityClaims(time.Hour)
	goodInt := signed(t, jwt.SigningMethodHS256, good, testKey)
	parts := strings.Split(goodInt, ".")
	tampered := parts[0] + "." + segment(t, with(good, "user_id", "admin")) + "." + parts[2]
	none := func(alg string) string {
		return rawToken(t, map[string]any{"alg": alg, "typ": "JWT"}, good, "")
	}

	tests := []struct {
		name   string
		token  string
		want   string            // reason of the strict verifier
		flips  map[string]string // fault name -> reason under that fault
		wantID string            // user_id when accepted (strict)
	}{
		{
			name:   "good fractional exp",
			token:  signed(t, jwt.SigningMethodHS256, with(good, "exp", float64(testNow.Add(time.Hour).Unix())+0.123456), testKey),
			flips:  map[string]string{"RejectFractionalExp": ReasonExpInvalid},
			wantID: "user123",
		},
		{name: "integer exp", token: goodInt, wantID: "user123"},
		{
			name:  "expired beyond leeway",
			token: signed(t, jwt.SigningMethodHS256, with(good, "exp", testNow.Add(-time.Minute).Unix()), testKey),
			want:  ReasonExpired, flips: map[string]string{"IgnoreExp": ""},
		},
		{
			name:   "expired within leeway",
			token:  signed(t, jwt.SigningMethodHS256, with(good, "exp", testNow.Add(-2*time.Second).Unix()), testKey),
			wantID: "user123",
		},
		{
			name:  "wrong key",
			token: signed(t, jwt.SigningMethodHS256, good, []byte("YOUR_SECRET_KEY")),
			want:  ReasonBadSignature, flips: map[string]string{"SkipSignature": ""},
		},
		{name: "tampered payload", token: tampered, want: ReasonBadSignature, flips: map[string]string{"SkipSignature": ""}},
		{
			name: "stripped signature", token: parts[0] + "." + parts[1] + ".",
			want: ReasonBadSignature, flips: map[string]string{"SkipSignature": ""},
		},
		{name: "alg none", token: none("none"), want: ReasonAlgNotAllowed, flips: map[string]string{"AcceptAlgNone": "", "SkipSignature": ""}},
		{name: "alg None", token: none("None"), want: ReasonAlgNotAllowed, flips: map[string]string{"AcceptAlgNone": "", "SkipSignature": ""}},
		{name: "alg NONE", token: none("NONE"), want: ReasonAlgNotAllowed, flips: map[string]string{"AcceptAlgNone": "", "SkipSignature": ""}},
		{name: "alg nOnE", token: none("nOnE"), want: ReasonAlgNotAllowed, flips: map[string]string{"AcceptAlgNone": "", "SkipSignature": ""}},
		{
			name: "HS512 same key", token: signed(t, jwt.SigningMethodHS512, good, testKey),
			want: ReasonAlgNotAllowed, flips: map[string]string{"AcceptOtherHMAC": "", "SkipSignature": ""},
		},
		{
			name: "missing user_id", token: signed(t, jwt.SigningMethodHS256, with(good, "user_id", nil), testKey),
			want: ReasonUserIDMissing, flips: map[string]string{"AllowMissingUserID": ""},
		},
		{name: "user_id number", token: signed(t, jwt.SigningMethodHS256, with(good, "user_id", 123), testKey), want: ReasonUserIDInvalid},
		{name: "user_id empty", token: signed(t, jwt.SigningMethodHS256, with(good, "user_id", ""), testKey), want: ReasonUserIDInvalid},
		{
			name: "missing exp", token: signed(t, jwt.SigningMethodHS256, with(good, "exp", nil), testKey),
			want: ReasonExpMissing, flips: map[string]string{"IgnoreExp": ""},
		},
		{
			name: "exp string", token: signed(t, jwt.SigningMethodHS256, with(good, "exp", "1767229200"), testKey),
			want: ReasonExpInvalid, flips: map[string]string{"IgnoreExp": ""},
		},
		{name: "first_name number", token: signed(t, jwt.SigningMethodHS256, with(good, "first_name", 7), testKey), want: ReasonClaimType},
		{name: "empty string", token: "", want: ReasonNoToken},
		{name: "garbage", token: "garbage", want: ReasonMalformed},
		{name: "a.b.c", token: "a.b.c", want: ReasonMalformed},
		{name: "four dots", token: "....", want: ReasonMalformed},
		{name: "5000 x", token: strings.Repeat("x", 5000), want: ReasonMalformed},
		{name: "payload not an object", token: parts[0] + "." + segment(t, []int{1}) + "." + parts[2], want: ReasonMalformed},
		{name: "header without alg", token: rawToken(t, map[string]any{"typ": "JWT"}, good, parts[2]), want: ReasonMalformed},
	}
	for _, tt := range tests {
		for fault, faults := range faultProfiles {
			t.Run(tt.name+"/"+fault, func(t *testing.T) {
				want, flipped := tt.flips[fault]
				if !flipped {
					want = tt.want
				}
				v := &Verifier{Secret: testKey, Leeway: DefaultLeeway, Faults: faults, Now: func() time.Time { return testNow }}
				id, reason := v.Verify(tt.token)
				if reason != want {
					t.Fatalf("Verify() reason = %q, want %q", reason, want)
				}
				if reason != "" {
					if id != (Identity{}) {
						t.Errorf("Verify() identity = %+v, want zero on refusal", id)
					}
					return
				}
				wantID := "user123"
				switch {
				case faults.IdentityOverride != "":
					wantID = faults.IdentityOverride
				case tt.name == "missing user_id":
					wantID = ""
				case tt.name == "tampered payload":
					wantID = "admin"
				}
				if id.UserID != wantID {
					t.Errorf("Verify() user_id = %q, want %q", id.UserID, wantID)
				}
			})
		}
	}
}

func TestVerifyIdentityClaims(t *testing.T) {
	v := &Verifier{Secret: testKey, Now: func() time.Time { return testNow }}
	id, reason := v.Verify(signed(t, jwt.SigningMethodHS256, identityClaims(time.Hour), testKey))
	want := Identity{UserID: "user123", FirstName: "John", LastName: "Doe", Email: "john.doe@example.com"}
	if reason != "" || id != want {
		t.Errorf("Verify() = %+v, %q, want %+v, \"\"", id, reason, want)
	}
}

func TestVerifyDefaultClock(t *testing.T) {
	v := &Verifier{Secret: testKey}
	claims := with(identityClaims(0), "exp", time.Now().Add(time.Hour).Unix())
	if _, reason := v.Verify(signed(t, jwt.SigningMethodHS256, claims, testKey)); reason != "" {
		t.Errorf("Verify() with the real clock reason = %q, want \"\"", reason)
	}
}
