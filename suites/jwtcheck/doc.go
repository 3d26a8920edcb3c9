// Package jwtcheck judges mf_jwt_token values against the Miiflow "own JWT"
// contract without any network, browser or test framework: it parses a
// compact JWS, checks its algorithm, signature, claims and key, describes a
// token for humans, and mints the probe tokens the app specs plant to test
// the app's verifier. Every check returns diagnostics (none = conformant)
// and never puts a secret or a whole token into one: keys appear only as
// redact.Fingerprint, tokens only as redact.Token.
package jwtcheck
