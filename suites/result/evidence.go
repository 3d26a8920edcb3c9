package result

// Evidence names the report renderers know how to draw; any other name is
// shown as JSON.
const (
	EvidenceCookies    = "cookies"    // []CookieRow
	EvidenceToken      = "token"      // TokenView
	EvidenceScreenshot = "screenshot" // Screenshot
	// EvidenceSetCookie is the Set-Cookie line a cookie spec judged, its
	// value redacted (a string).
	EvidenceSetCookie = "set-cookie"
)

// Named is one piece of evidence a spec attached: a name and a value that
// is already redacted and cleaned.
type Named struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// CookieRow is one cookie as one request saw it: the attributes it was set
// with, whether Chromium stored it, and whether it was sent. Values are
// never included.
type CookieRow struct {
	Where    string `json:"where"` // e.g. "Set-Cookie on login.acme.test/login", "top-level navigation to app.acme.test"
	Name     string `json:"name"`
	Domain   string `json:"domain"`
	Path     string `json:"path"`
	Secure   bool   `json:"secure"`
	HttpOnly bool   `json:"http_only"`
	SameSite string `json:"same_site"`
	Size     int    `json:"size"`
	Stored   bool   `json:"stored"`
	Sent     string `json:"sent"`             // "sent", "withheld", "not considered" or "" for a Set-Cookie row
	Reason   string `json:"reason,omitempty"` // Chromium's reason(s)
}

// TokenView is a decoded token without its signature.
type TokenView struct {
	Redacted string            `json:"redacted"` // header.payload.<signature dropped>
	Header   map[string]any    `json:"header"`
	Claims   map[string]any    `json:"claims"`
	Notes    map[string]string `json:"notes,omitempty"` // e.g. exp → "2026-11-26T05:45:22Z (in 1h)"
}

// Screenshot is a PNG of a page, attached to browser specs that did not
// pass.
type Screenshot struct {
	Caption string `json:"caption"`
	PNG     []byte `json:"png"`
}
