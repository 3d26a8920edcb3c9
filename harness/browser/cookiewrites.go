package browser

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/chromedp/cdproto/runtime"
)

// CookieWrite is one `document.cookie = …` assignment a page made, as the
// page wrote it: Chromium reports Set-Cookie headers with a verdict
// (Exchange.SetCookies) but says nothing about cookies written by script,
// so a session recorded with SessionOptions.RecordCookieWrites keeps the
// writes to explain what the cookie store lacks (a chunk over the size
// limit, a clear for another Domain). The value itself is never recorded.
type CookieWrite struct {
	// Name is the cookie's name as written.
	Name string `json:"name"`
	// Size is the byte length of the name plus the value, what Chromium
	// holds against its 4096-byte limit (net/cookies/parsed_cookie.cc
	// kMaxCookieNamePlusValueSize).
	Size int `json:"size"`
	// Empty reports an empty value: a clear, written with Max-Age=0 or an
	// Expires in the past by @supabase/ssr and most cookie libraries.
	Empty bool `json:"empty"`
	// Attrs are the attributes as written, after the first ";" (no value
	// in them), e.g. "Domain=.acme.test; Path=/; Max-Age=34560000; SameSite=Lax; Secure".
	Attrs string `json:"attrs"`
	// URL is the document that wrote the cookie.
	URL string `json:"url"`
}

// cookieWriteBinding is the CDP binding the recorder script reports
// through (Runtime.addBinding): a page-visible global function.
const cookieWriteBinding = "__mfconformCookieWrite"

// cookieWriteScript wraps Document.prototype's cookie setter in every new
// document (Page.addScriptToEvaluateOnNewDocument, before the page's own
// scripts) so each assignment is reported, name, size and attributes only,
// and then performed unchanged. Reading document.cookie is untouched.
const cookieWriteScript = `(() => {
  const d = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  const send = globalThis.` + cookieWriteBinding + `;
  if (!d || !d.set || !d.get || typeof send !== "function" || globalThis.__mfconformCookieWrap) { return; }
  Object.defineProperty(globalThis, "__mfconformCookieWrap", {value: true});
  const bytes = (s) => new TextEncoder().encode(s).length;
  Object.defineProperty(Document.prototype, "cookie", {
    configurable: true,
    enumerable: d.enumerable,
    get() { return d.get.call(this); },
    set(v) {
      try {
        const s = String(v);
        const semi = s.indexOf(";");
        const pair = semi < 0 ? s : s.slice(0, semi);
        const eq = pair.indexOf("=");
        const name = eq < 0 ? "" : pair.slice(0, eq).trim();
        const value = (eq < 0 ? pair : pair.slice(eq + 1)).trim();
        send(JSON.stringify({name: name, size: bytes(name) + bytes(value), empty: value === "",
          attrs: semi < 0 ? "" : s.slice(semi + 1).trim(), url: String(location.href)}));
      } catch (_) { /* recording never breaks the page */ }
      d.set.call(this, v);
    },
  });
})();`

// applyBinding records a binding call of the cookie-write script; it runs
// under the recorder's lock and reports whether anything changed.
func (r *recorder) applyBinding(e *runtime.EventBindingCalled) bool {
	if e.Name != cookieWriteBinding {
		return false
	}
	var w CookieWrite
	if json.Unmarshal([]byte(e.Payload), &w) != nil || w.Name == "" {
		return false
	}
	w.Attrs = strings.TrimSpace(w.Attrs)
	r.writes = append(r.writes, w)
	return true
}

// CookieWrites returns the document.cookie writes recorded so far, in
// order (only for a session opened with RecordCookieWrites).
func (s *Session) CookieWrites() []CookieWrite {
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	return append([]CookieWrite(nil), s.rec.writes...)
}

// WaitCookieWrites waits, bounded by ctx, until at least n writes are
// recorded, and returns them (with ctx's error when fewer arrived).
func (s *Session) WaitCookieWrites(ctx context.Context, n int) ([]CookieWrite, error) {
	for {
		s.rec.mu.Lock()
		got, changed := append([]CookieWrite(nil), s.rec.writes...), s.rec.changed
		s.rec.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return got, ctx.Err()
		}
	}
}
