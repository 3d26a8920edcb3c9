package browser

import (
	"context"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"

	"github.com/mfconform/mfconform/harness/egress"
)

// Exchange is one HTTP request of a page (one hop of a redirect chain) with
// Chromium's verdicts on the cookies it sent and the cookies it was given.
type Exchange struct {
	RequestID string `json:"request_id"`
	URL       string `json:"url"`
	Method    string `json:"method"`
	Type      string `json:"type"` // Document, Fetch, XHR, Other…
	Initiator string `json:"initiator,omitempty"`
	Status    int    `json:"status"`
	// ResponseHeaders are the raw headers as received, lower-case names;
	// repeated headers (Set-Cookie) are joined with "\n" as Chromium does.
	ResponseHeaders map[string]string `json:"-"`
	// SetCookies are the Set-Cookie lines of the response with the verdict.
	SetCookies []SetCookieVerdict `json:"set_cookies,omitempty"`
	// Cookies are the cookies Chromium considered for the request: sent
	// (no reasons) or withheld with its reasons.
	Cookies []CookieVerdict `json:"cookies,omitempty"`
	// Failed holds Chromium's error text when the request failed.
	Failed string `json:"failed,omitempty"`

	haveRequestExtra  bool
	haveResponseExtra bool
	haveResponse      bool
}

// Complete reports whether every event of the exchange has arrived.
func (e Exchange) Complete() bool {
	return e.Failed != "" || (e.haveRequestExtra && e.haveResponseExtra && e.haveResponse)
}

// RequestSeen reports whether Chromium's verdicts on the request's cookies
// have arrived (or the request failed).
func (e Exchange) RequestSeen() bool { return e.Failed != "" || e.haveRequestExtra }

// Header returns a response header (case-insensitive), "" when absent.
func (e Exchange) Header(name string) string { return e.ResponseHeaders[strings.ToLower(name)] }

// SetCookieVerdict is one Set-Cookie line of a response and what Chromium
// did with it. Line holds the raw header value and therefore the token:
// redact before printing.
type SetCookieVerdict struct {
	Line    string   `json:"line"`
	Name    string   `json:"name"`
	Stored  bool     `json:"stored"`
	Reasons []string `json:"reasons,omitempty"`
}

// CookieVerdict is one cookie Chromium considered for a request.
type CookieVerdict struct {
	Name    string   `json:"name"`
	Domain  string   `json:"domain"`
	Path    string   `json:"path"`
	Size    int      `json:"size"`
	Sent    bool     `json:"sent"`
	Reasons []string `json:"reasons,omitempty"`
}

// recorder joins the network events of one tab into Exchanges. Its handle
// method runs on chromedp's read loop: it only updates state under a lock.
type recorder struct {
	mu        sync.Mutex
	exchanges []*Exchange
	// open maps a request ID to the index of its hops in exchanges.
	open map[network.RequestID][]int
	// early holds ExtraInfo events that arrived before their request's
	// requestWillBeSent (Chromium does not order them).
	early map[network.RequestID][]any
	// writes are the page's document.cookie writes (RecordCookieWrites).
	writes  []CookieWrite
	changed chan struct{} // closed and replaced on every update
	// dropped counts events not kept because a page made more requests
	// than maxExchanges (or left more than maxEarly orphan events).
	dropped int
	// lane, when set, explains a failure Chromium reports as its proxy's
	// (egress.Lane.Rewrite): the error it gives without one, or the
	// guard's refusal.
	lane *egress.Lane
}

// Bounds of one session's recording: a hostile page cannot make the
// recorder grow without end.
const (
	maxExchanges = 4000
	maxEarly     = 4000
)

func newRecorder() *recorder {
	return &recorder{open: map[network.RequestID][]int{}, early: map[network.RequestID][]any{}, changed: make(chan struct{})}
}

func (r *recorder) handle(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.apply(ev) {
		close(r.changed)
		r.changed = make(chan struct{})
	}
}

// apply folds one event into the exchanges and reports whether anything
// changed.
func (r *recorder) apply(ev any) bool {
	switch e := ev.(type) {
	case *runtime.EventBindingCalled:
		return r.applyBinding(e)
	case *network.EventRequestWillBeSent:
		if e.RedirectResponse != nil {
			if x := r.last(e.RequestID, func(x *Exchange) bool { return !x.haveResponse }); x != nil {
				x.Status = int(e.RedirectResponse.Status)
				x.haveResponse = true
			}
		}
		if len(r.exchanges) >= maxExchanges {
			r.dropped++
			return false
		}
		x := &Exchange{RequestID: string(e.RequestID), URL: e.Request.URL, Method: e.Request.Method, Type: string(e.Type)}
		if e.Initiator != nil {
			x.Initiator = string(e.Initiator.Type)
		}
		r.exchanges = append(r.exchanges, x)
		r.open[e.RequestID] = append(r.open[e.RequestID], len(r.exchanges)-1)
		if early := r.early[e.RequestID]; len(early) > 0 {
			delete(r.early, e.RequestID)
			for _, ev := range early {
				r.apply(ev)
			}
		}
	case *network.EventRequestWillBeSentExtraInfo:
		x := r.first(e.RequestID, func(x *Exchange) bool { return !x.haveRequestExtra })
		if x == nil {
			r.keepEarly(e.RequestID, ev)
			return false
		}
		x.haveRequestExtra = true
		for _, c := range e.AssociatedCookies {
			if c == nil || c.Cookie == nil {
				continue
			}
			v := CookieVerdict{Name: c.Cookie.Name, Domain: c.Cookie.Domain, Path: c.Cookie.Path, Size: int(c.Cookie.Size), Sent: len(c.BlockedReasons) == 0}
			for _, rs := range c.BlockedReasons {
				v.Reasons = append(v.Reasons, string(rs))
			}
			x.Cookies = append(x.Cookies, v)
		}
	case *network.EventResponseReceivedExtraInfo:
		x := r.first(e.RequestID, func(x *Exchange) bool { return !x.haveResponseExtra })
		if x == nil {
			r.keepEarly(e.RequestID, ev)
			return false
		}
		x.haveResponseExtra = true
		if x.Status == 0 {
			x.Status = int(e.StatusCode)
		}
		x.ResponseHeaders = map[string]string{}
		for k, v := range e.Headers {
			s, _ := v.(string)
			x.ResponseHeaders[strings.ToLower(k)] = s
		}
		blocked := map[string][]string{}
		for _, b := range e.BlockedCookies {
			if b == nil {
				continue
			}
			for _, rs := range b.BlockedReasons {
				blocked[b.CookieLine] = append(blocked[b.CookieLine], string(rs))
			}
		}
		if sc := x.ResponseHeaders["set-cookie"]; sc != "" {
			for _, line := range strings.Split(sc, "\n") {
				name, _, _ := strings.Cut(line, "=")
				reasons := blocked[line]
				x.SetCookies = append(x.SetCookies, SetCookieVerdict{Line: line, Name: strings.TrimSpace(name), Stored: len(reasons) == 0, Reasons: reasons})
			}
		}
	case *network.EventResponseReceived:
		x := r.last(e.RequestID, func(*Exchange) bool { return true })
		if x == nil {
			return false
		}
		x.haveResponse = true
		if e.Response != nil {
			x.Status = int(e.Response.Status)
		}
	case *network.EventLoadingFailed:
		if x := r.last(e.RequestID, func(*Exchange) bool { return true }); x != nil {
			x.Failed = r.lane.Rewrite(e.ErrorText, x.URL)
			if e.BlockedReason != "" {
				x.Failed += " (" + string(e.BlockedReason) + ")"
			}
			if e.CorsErrorStatus != nil {
				x.Failed += " (CORS " + string(e.CorsErrorStatus.CorsError) + ")"
			}
		}
	default:
		return false
	}
	return true
}

// keepEarly holds an ExtraInfo event until its request arrives, within
// maxEarly.
func (r *recorder) keepEarly(id network.RequestID, ev any) {
	if len(r.early) >= maxEarly {
		r.dropped++
		return
	}
	r.early[id] = append(r.early[id], ev)
}

func (r *recorder) first(id network.RequestID, ok func(*Exchange) bool) *Exchange {
	for _, i := range r.open[id] {
		if ok(r.exchanges[i]) {
			return r.exchanges[i]
		}
	}
	return nil
}

func (r *recorder) last(id network.RequestID, ok func(*Exchange) bool) *Exchange {
	idx := r.open[id]
	for i := len(idx) - 1; i >= 0; i-- {
		if ok(r.exchanges[idx[i]]) {
			return r.exchanges[idx[i]]
		}
	}
	return nil
}

// snapshot copies the exchanges recorded so far.
func (r *recorder) snapshot() ([]Exchange, chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Exchange, len(r.exchanges))
	for i, x := range r.exchanges {
		out[i] = *x
	}
	return out, r.changed
}

// wait returns the first exchange that is done, recorded at index since or
// later, for which match is true, waiting
// for new events until ctx ends. On timeout it returns the best incomplete
// match, if any, with ctx's error.
func (r *recorder) wait(ctx context.Context, since int, match func(Exchange) bool, done func(Exchange) bool) (Exchange, error) {
	for {
		xs, changed := r.snapshot()
		var partial *Exchange
		for i := since; i < len(xs); i++ {
			if !match(xs[i]) {
				continue
			}
			if done(xs[i]) {
				return xs[i], nil
			}
			if partial == nil {
				partial = &xs[i]
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			if partial != nil {
				return *partial, ctx.Err()
			}
			return Exchange{}, ctx.Err()
		}
	}
}
