package reference

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// maxPadRounds bounds the padding loop of buildToken.
const maxPadRounds = 64

// buildToken builds and signs the token described by tp at the backend's time
// now, with key. When c.PadValueTo asks for a longer cookie than name=token,
// it adds a "pad" claim until len(name)+1+len(token) >= c.PadValueTo.
func buildToken(tp TokenProfile, c CookieProfile, key []byte, now time.Time) (string, error) {
	claims := jwt.MapClaims{}
	for k, v := range tp.Claims {
		if v != nil {
			claims[k] = v
		}
	}
	// The naive-datetime trap: the backend's wall clock read as UTC+offset
	// local time puts every computed instant offset early.
	// A cached token was computed IssuedAgo before.
	now = now.Add(-tp.NaiveLocalOffset - tp.IssuedAgo)
	expAt := now.Add(tp.Lifetime)
	switch tp.Exp {
	case ExpFractional:
		claims["exp"] = fractionalSeconds(expAt)
	case ExpInteger:
		claims["exp"] = expAt.Unix()
	case ExpMilliseconds:
		claims["exp"] = expAt.UnixMilli()
	case ExpMicroseconds:
		claims["exp"] = expAt.UnixMicro()
	case ExpNanoseconds:
		claims["exp"] = expAt.UnixNano()
	case ExpString:
		claims["exp"] = strconv.FormatInt(expAt.Unix(), 10)
	case ExpMissing:
	default:
		return "", fmt.Errorf("build token: unknown exp style %q", tp.Exp)
	}
	if tp.IssuedAt {
		claims["iat"] = now.Unix()
	}

	token, err := signToken(tp.Alg, claims, key)
	if err != nil {
		return "", err
	}
	size := func(t string) int { return len(c.Name) + 1 + len(t) }
	if c.PadValueTo <= size(token) {
		return token, nil
	}
	pad := 0
	for range maxPadRounds {
		missing := c.PadValueTo - size(token)
		if missing <= 0 {
			return token, nil
		}
		// Every 3 bytes of JSON become 4 base64url characters.
		pad += max(1, missing*3/4)
		claims["pad"] = strings.Repeat("x", pad)
		if token, err = signToken(tp.Alg, claims, key); err != nil {
			return "", err
		}
	}
	if size(token) < c.PadValueTo {
		return "", fmt.Errorf("build token: could not pad the cookie to %d bytes", c.PadValueTo)
	}
	return token, nil
}

// fractionalSeconds is t as float seconds with a microsecond fraction, the
// way Python's datetime.timestamp() writes it. The value is never integral.
func fractionalSeconds(t time.Time) float64 {
	f := float64(t.UnixMicro()) / 1e6
	if f == math.Trunc(f) {
		f += 0.25
	}
	return f
}

// signToken signs claims with alg ("HS256", "HS384", "HS512" or "none").
func signToken(alg string, claims jwt.MapClaims, key []byte) (string, error) {
	var (
		s   string
		err error
	)
	switch alg {
	case "HS256":
		s, err = jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
	case "HS384":
		s, err = jwt.NewWithClaims(jwt.SigningMethodHS384, claims).SignedString(key)
	case "HS512":
		s, err = jwt.NewWithClaims(jwt.SigningMethodHS512, claims).SignedString(key)
	case "none":
		s, err = jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	default:
		return "", fmt.Errorf("build token: unsupported alg %q", alg)
	}
	if err != nil {
		return "", fmt.Errorf("build token: sign with %s: %w", alg, err)
	}
	return s, nil
}
