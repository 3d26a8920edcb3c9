package reference

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"slices"
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
	return buildTokenAs("", tp, c, key, now)
}

// buildTokenAs is buildToken with the claim order of the JWT library lib
// (StackShape.Token; "" for the reference's own).
func buildTokenAs(lib string, tp TokenProfile, c CookieProfile, key []byte, now time.Time) (string, error) {
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

	sign := func(claims jwt.MapClaims) (string, error) {
		if lib == "" {
			return signToken(tp.Alg, claims, key)
		}
		return signOrdered(tp.Alg, claimOrder(lib, claims), claims, key)
	}
	token, err := sign(claims)
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
		if token, err = sign(claims); err != nil {
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

// contractOrder is the order the contract (and the vendor's example)
// lists the identity claims in, the order application code writes them.
var contractOrder = []string{"user_id", "first_name", "last_name", "email"}

// claimOrder is the order library lib writes claims in: the
// application's own claims as its code lists them (the contract's order,
// then any other claim by name), with the library's additions where it
// puts them — PyJWT adds none, so exp and iat come as the code writes
// them after the identity; jsonwebtoken appends iat, then exp.
func claimOrder(lib string, claims jwt.MapClaims) []string {
	var own, rest []string
	for _, k := range contractOrder {
		if _, ok := claims[k]; ok {
			own = append(own, k)
		}
	}
	for k := range claims {
		if !slices.Contains(contractOrder, k) && k != "exp" && k != "iat" {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	own = append(own, rest...)
	tail := []string{"exp", "iat"}
	if lib == TokenJSONWebToken {
		tail = []string{"iat", "exp"}
	}
	for _, k := range tail {
		if _, ok := claims[k]; ok {
			own = append(own, k)
		}
	}
	return own
}

// signOrdered signs claims as a compact JWS whose payload writes the keys
// in order, with the header {"alg":…,"typ":"JWT"} every imitated library
// writes for HS256 (alg none: an empty signature).
func signOrdered(alg string, order []string, claims jwt.MapClaims, key []byte) (string, error) {
	var payload bytes.Buffer
	payload.WriteByte('{')
	for i, k := range order {
		kj, err := json.Marshal(k)
		if err != nil {
			return "", err
		}
		vj, err := json.Marshal(claims[k])
		if err != nil {
			return "", fmt.Errorf("build token: claim %s: %w", k, err)
		}
		if i > 0 {
			payload.WriteByte(',')
		}
		payload.Write(kj)
		payload.WriteByte(':')
		payload.Write(vj)
	}
	payload.WriteByte('}')
	header, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
	}{alg, "JWT"})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding.EncodeToString
	input := enc(header) + "." + enc(payload.Bytes())
	var h func() hash.Hash
	switch alg {
	case "HS256":
		h = sha256.New
	case "HS384":
		h = sha512.New384
	case "HS512":
		h = sha512.New
	case "none":
		return input + ".", nil
	default:
		return "", fmt.Errorf("build token: unsupported alg %q", alg)
	}
	mac := hmac.New(h, key)
	mac.Write([]byte(input))
	return input + "." + enc(mac.Sum(nil)), nil
}
