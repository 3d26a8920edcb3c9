package browser

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
)

// Synthetic CDP events, as Chromium sends them for one request.

func willBeSent(id, url string, typ network.ResourceType) *network.EventRequestWillBeSent {
	return &network.EventRequestWillBeSent{
		RequestID: network.RequestID(id),
		Request:   &network.Request{URL: url, Method: "GET"},
		Type:      typ,
		Initiator: &network.Initiator{Type: network.InitiatorTypeOther},
	}
}

func redirectedTo(id, url string, status int64) *network.EventRequestWillBeSent {
	ev := willBeSent(id, url, network.ResourceTypeDocument)
	ev.RedirectResponse = &network.Response{URL: "(previous hop)", Status: status}
	return ev
}

func requestExtra(id string, cookies ...*network.AssociatedCookie) *network.EventRequestWillBeSentExtraInfo {
	return &network.EventRequestWillBeSentExtraInfo{RequestID: network.RequestID(id), AssociatedCookies: cookies}
}

func responseExtra(id string, status int64, headers network.Headers, blocked ...*network.BlockedSetCookieWithReason) *network.EventResponseReceivedExtraInfo {
	return &network.EventResponseReceivedExtraInfo{RequestID: network.RequestID(id), StatusCode: status, Headers: headers, BlockedCookies: blocked}
}

func received(id string, status int64) *network.EventResponseReceived {
	return &network.EventResponseReceived{RequestID: network.RequestID(id), Response: &network.Response{Status: status}}
}

func failed(id, text string) *network.EventLoadingFailed {
	return &network.EventLoadingFailed{RequestID: network.RequestID(id), ErrorText: text}
}

func associated(name string, reasons ...network.CookieBlockedReason) *network.AssociatedCookie {
	return &network.AssociatedCookie{
		Cookie:         &network.Cookie{Name: name, Domain: ".acme.test", Path: "/", Size: int64(len(name) + 5)},
		BlockedReasons: reasons,
	}
}

// public returns x without its unexported bookkeeping, for comparison.
func public(x Exchange) Exchange {
	x.haveRequestExtra, x.haveResponseExtra, x.haveResponse = false, false, false
	return x
}

const (
	setLine     = "mf_jwt_token=abc; Domain=.acme.test; Path=/; Secure; HttpOnly; SameSite=None"
	blockedLine = "other=1; Domain=.other.test; Path=/"
)

func TestRecorderJoins(t *testing.T) {
	plainHeaders := network.Headers{"Content-Type": "text/html"}
	cookieHeaders := network.Headers{"Content-Type": "text/html", "Set-Cookie": setLine + "\n" + blockedLine}

	tests := []struct {
		name            string
		events          []any
		want            []Exchange
		wantComplete    []bool
		wantRequestSeen []bool
	}{
		{
			name: "normal order",
			events: []any{
				willBeSent("1", "https://app.acme.test/", network.ResourceTypeDocument),
				requestExtra("1"),
				responseExtra("1", 200, plainHeaders),
				received("1", 200),
			},
			want: []Exchange{{
				RequestID: "1", URL: "https://app.acme.test/", Method: "GET", Type: "Document", Initiator: "other",
				Status: 200, ResponseHeaders: map[string]string{"content-type": "text/html"},
			}},
			wantComplete:    []bool{true},
			wantRequestSeen: []bool{true},
		},
		{
			name: "response before response ExtraInfo",
			events: []any{
				willBeSent("1", "https://app.acme.test/", network.ResourceTypeFetch),
				requestExtra("1"),
				received("1", 204),
				responseExtra("1", 204, plainHeaders),
			},
			want: []Exchange{{
				RequestID: "1", URL: "https://app.acme.test/", Method: "GET", Type: "Fetch", Initiator: "other",
				Status: 204, ResponseHeaders: map[string]string{"content-type": "text/html"},
			}},
			wantComplete:    []bool{true},
			wantRequestSeen: []bool{true},
		},
		{
			name: "ExtraInfo before requestWillBeSent",
			events: []any{
				responseExtra("1", 200, plainHeaders),
				requestExtra("1", associated("mf_jwt_token")),
				willBeSent("1", "https://app.acme.test/", network.ResourceTypeDocument),
				received("1", 200),
			},
			want: []Exchange{{
				RequestID: "1", URL: "https://app.acme.test/", Method: "GET", Type: "Document", Initiator: "other",
				Status: 200, ResponseHeaders: map[string]string{"content-type": "text/html"},
				Cookies: []CookieVerdict{{Name: "mf_jwt_token", Domain: ".acme.test", Path: "/", Size: 17, Sent: true}},
			}},
			wantComplete:    []bool{true},
			wantRequestSeen: []bool{true},
		},
		{
			name: "missing response events leave the exchange incomplete",
			events: []any{
				willBeSent("1", "https://app.acme.test/frame", network.ResourceTypeDocument),
				requestExtra("1", associated("mf_jwt_token")),
			},
			want: []Exchange{{
				RequestID: "1", URL: "https://app.acme.test/frame", Method: "GET", Type: "Document", Initiator: "other",
				Cookies: []CookieVerdict{{Name: "mf_jwt_token", Domain: ".acme.test", Path: "/", Size: 17, Sent: true}},
			}},
			wantComplete:    []bool{false},
			wantRequestSeen: []bool{true},
		},
		{
			name: "redirect chain",
			events: []any{
				willBeSent("1", "https://login.acme.test/login", network.ResourceTypeDocument),
				requestExtra("1"),
				responseExtra("1", 302, network.Headers{"Location": "https://app.acme.test/", "Set-Cookie": setLine}),
				redirectedTo("1", "https://app.acme.test/", 302),
				requestExtra("1", associated("mf_jwt_token")),
				responseExtra("1", 200, plainHeaders),
				received("1", 200),
			},
			want: []Exchange{
				{
					RequestID: "1", URL: "https://login.acme.test/login", Method: "GET", Type: "Document", Initiator: "other",
					Status:          302,
					ResponseHeaders: map[string]string{"location": "https://app.acme.test/", "set-cookie": setLine},
					SetCookies:      []SetCookieVerdict{{Line: setLine, Name: "mf_jwt_token", Stored: true}},
				},
				{
					RequestID: "1", URL: "https://app.acme.test/", Method: "GET", Type: "Document", Initiator: "other",
					Status: 200, ResponseHeaders: map[string]string{"content-type": "text/html"},
					Cookies: []CookieVerdict{{Name: "mf_jwt_token", Domain: ".acme.test", Path: "/", Size: 17, Sent: true}},
				},
			},
			wantComplete:    []bool{true, true},
			wantRequestSeen: []bool{true, true},
		},
		{
			name: "redirect with the second hop's ExtraInfo early",
			events: []any{
				willBeSent("1", "https://login.acme.test/login", network.ResourceTypeDocument),
				requestExtra("1"),
				responseExtra("1", 302, network.Headers{"Location": "https://app.acme.test/"}),
				requestExtra("1", associated("mf_jwt_token")),
				redirectedTo("1", "https://app.acme.test/", 302),
				responseExtra("1", 200, plainHeaders),
				received("1", 200),
			},
			want: []Exchange{
				{
					RequestID: "1", URL: "https://login.acme.test/login", Method: "GET", Type: "Document", Initiator: "other",
					Status: 302, ResponseHeaders: map[string]string{"location": "https://app.acme.test/"},
				},
				{
					RequestID: "1", URL: "https://app.acme.test/", Method: "GET", Type: "Document", Initiator: "other",
					Status: 200, ResponseHeaders: map[string]string{"content-type": "text/html"},
					Cookies: []CookieVerdict{{Name: "mf_jwt_token", Domain: ".acme.test", Path: "/", Size: 17, Sent: true}},
				},
			},
			wantComplete:    []bool{true, true},
			wantRequestSeen: []bool{true, true},
		},
		{
			name: "Set-Cookie lines stored and blocked",
			events: []any{
				willBeSent("1", "https://login.acme.test/login", network.ResourceTypeDocument),
				requestExtra("1"),
				responseExtra("1", 200, cookieHeaders, &network.BlockedSetCookieWithReason{
					CookieLine:     blockedLine,
					BlockedReasons: []network.SetCookieBlockedReason{network.SetCookieBlockedReasonInvalidDomain, network.SetCookieBlockedReasonUserPreferences},
				}),
				received("1", 200),
			},
			want: []Exchange{{
				RequestID: "1", URL: "https://login.acme.test/login", Method: "GET", Type: "Document", Initiator: "other",
				Status:          200,
				ResponseHeaders: map[string]string{"content-type": "text/html", "set-cookie": setLine + "\n" + blockedLine},
				SetCookies: []SetCookieVerdict{
					{Line: setLine, Name: "mf_jwt_token", Stored: true},
					{Line: blockedLine, Name: "other", Stored: false, Reasons: []string{"InvalidDomain", "UserPreferences"}},
				},
			}},
			wantComplete:    []bool{true},
			wantRequestSeen: []bool{true},
		},
		{
			name: "associated cookies sent and withheld",
			events: []any{
				willBeSent("1", "https://app.acme.test/", network.ResourceTypeDocument),
				requestExtra("1",
					associated("mf_jwt_token"),
					associated("lax", network.CookieBlockedReasonSameSiteLax),
					associated("both", network.CookieBlockedReasonSecureOnly, network.CookieBlockedReasonNotOnPath),
					&network.AssociatedCookie{}, // no cookie object: skipped
					nil,
				),
				responseExtra("1", 200, nil),
				received("1", 200),
			},
			want: []Exchange{{
				RequestID: "1", URL: "https://app.acme.test/", Method: "GET", Type: "Document", Initiator: "other",
				Status: 200, ResponseHeaders: map[string]string{},
				Cookies: []CookieVerdict{
					{Name: "mf_jwt_token", Domain: ".acme.test", Path: "/", Size: 17, Sent: true},
					{Name: "lax", Domain: ".acme.test", Path: "/", Size: 8, Sent: false, Reasons: []string{"SameSiteLax"}},
					{Name: "both", Domain: ".acme.test", Path: "/", Size: 9, Sent: false, Reasons: []string{"SecureOnly", "NotOnPath"}},
				},
			}},
			wantComplete:    []bool{true},
			wantRequestSeen: []bool{true},
		},
		{
			name: "loading failed before any ExtraInfo",
			events: []any{
				willBeSent("1", "https://app.acme.test/", network.ResourceTypeFetch),
				failed("1", "net::ERR_CONNECTION_REFUSED"),
			},
			want: []Exchange{{
				RequestID: "1", URL: "https://app.acme.test/", Method: "GET", Type: "Fetch", Initiator: "other",
				Failed: "net::ERR_CONNECTION_REFUSED",
			}},
			wantComplete:    []bool{true},
			wantRequestSeen: []bool{true},
		},
		{
			name: "loading failed with blocked reason and CORS error",
			events: []any{
				willBeSent("1", "https://api.other.test/", network.ResourceTypeFetch),
				requestExtra("1"),
				&network.EventLoadingFailed{
					RequestID: "1", ErrorText: "net::ERR_FAILED", BlockedReason: network.BlockedReasonMixedContent,
					CorsErrorStatus: &network.CorsErrorStatus{CorsError: network.CorsErrorMissingAllowOriginHeader},
				},
			},
			want: []Exchange{{
				RequestID: "1", URL: "https://api.other.test/", Method: "GET", Type: "Fetch", Initiator: "other",
				Failed: "net::ERR_FAILED (mixed-content) (CORS MissingAllowOriginHeader)",
			}},
			wantComplete:    []bool{true},
			wantRequestSeen: []bool{true},
		},
		{
			name: "two requests interleaved",
			events: []any{
				willBeSent("1", "https://app.acme.test/", network.ResourceTypeDocument),
				willBeSent("2", "https://app.acme.test/api", network.ResourceTypeXHR),
				requestExtra("2", associated("mf_jwt_token", network.CookieBlockedReasonUserPreferences)),
				requestExtra("1", associated("mf_jwt_token")),
				responseExtra("2", 401, plainHeaders),
				received("2", 401),
				responseExtra("1", 200, plainHeaders),
				received("1", 200),
			},
			want: []Exchange{
				{
					RequestID: "1", URL: "https://app.acme.test/", Method: "GET", Type: "Document", Initiator: "other",
					Status: 200, ResponseHeaders: map[string]string{"content-type": "text/html"},
					Cookies: []CookieVerdict{{Name: "mf_jwt_token", Domain: ".acme.test", Path: "/", Size: 17, Sent: true}},
				},
				{
					RequestID: "2", URL: "https://app.acme.test/api", Method: "GET", Type: "XHR", Initiator: "other",
					Status: 401, ResponseHeaders: map[string]string{"content-type": "text/html"},
					Cookies: []CookieVerdict{{Name: "mf_jwt_token", Domain: ".acme.test", Path: "/", Size: 17, Sent: false, Reasons: []string{"UserPreferences"}}},
				},
			},
			wantComplete:    []bool{true, true},
			wantRequestSeen: []bool{true, true},
		},
		{
			name: "events of unknown requests and other types are ignored",
			events: []any{
				received("9", 200),
				failed("9", "net::ERR_ABORTED"),
				&network.EventLoadingFinished{RequestID: "9"},
				"not an event",
			},
			want: []Exchange{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecorder()
			for _, ev := range tt.events {
				r.handle(ev)
			}
			xs, _ := r.snapshot()
			if len(xs) != len(tt.want) {
				t.Fatalf("recorded %d exchanges, want %d: %+v", len(xs), len(tt.want), xs)
			}
			for i, x := range xs {
				if got := public(x); !reflect.DeepEqual(got, tt.want[i]) {
					t.Errorf("exchange %d = %+v\nwant %+v", i, got, tt.want[i])
				}
				if got := x.Complete(); got != tt.wantComplete[i] {
					t.Errorf("exchange %d Complete() = %v, want %v", i, got, tt.wantComplete[i])
				}
				if got := x.RequestSeen(); got != tt.wantRequestSeen[i] {
					t.Errorf("exchange %d RequestSeen() = %v, want %v", i, got, tt.wantRequestSeen[i])
				}
			}
		})
	}
}

func TestExchangeHeader(t *testing.T) {
	r := newRecorder()
	r.handle(willBeSent("1", "https://app.acme.test/", network.ResourceTypeDocument))
	r.handle(responseExtra("1", 200, network.Headers{"Content-Type": "text/html", "x-number": 3.0}))
	xs, _ := r.snapshot()
	x := xs[0]
	tests := []struct {
		name string
		want string
	}{
		{name: "Content-Type", want: "text/html"},
		{name: "content-type", want: "text/html"},
		{name: "CONTENT-TYPE", want: "text/html"},
		{name: "X-Number", want: ""}, // not a string value
		{name: "Set-Cookie", want: ""},
	}
	for _, tt := range tests {
		if got := x.Header(tt.name); got != tt.want {
			t.Errorf("Header(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRecorderNotifiesOnlyOnChange(t *testing.T) {
	r := newRecorder()
	_, changed := r.snapshot()
	r.handle(&network.EventLoadingFinished{RequestID: "1"})
	select {
	case <-changed:
		t.Fatal("changed closed after an ignored event, want it open")
	default:
	}
	r.handle(willBeSent("1", "https://app.acme.test/", network.ResourceTypeDocument))
	select {
	case <-changed:
	default:
		t.Fatal("changed still open after requestWillBeSent, want it closed")
	}
	r.handle(requestExtra("2")) // early: nothing visible changed yet
	_, changed = r.snapshot()
	r.handle(requestExtra("3"))
	select {
	case <-changed:
		t.Error("changed closed after an early ExtraInfo, want it open")
	default:
	}
}

func TestRecorderSnapshotIsACopy(t *testing.T) {
	r := newRecorder()
	r.handle(willBeSent("1", "https://app.acme.test/", network.ResourceTypeDocument))
	before, _ := r.snapshot()
	r.handle(received("1", 500))
	if before[0].Status != 0 {
		t.Errorf("snapshot taken before the response has Status %d, want 0", before[0].Status)
	}
	after, _ := r.snapshot()
	if after[0].Status != 500 {
		t.Errorf("snapshot after the response has Status %d, want 500", after[0].Status)
	}
}

func isURL(u string) func(Exchange) bool { return func(x Exchange) bool { return x.URL == u } }

func TestRecorderWait(t *testing.T) {
	const target = "https://app.acme.test/"
	complete := []any{
		willBeSent("1", target, network.ResourceTypeDocument),
		requestExtra("1", associated("mf_jwt_token")),
		responseExtra("1", 200, network.Headers{}),
		received("1", 200),
	}
	tests := []struct {
		name       string
		before     []any // fed before wait starts
		during     []any // fed from another goroutine while waiting
		since      int
		done       func(Exchange) bool
		wantStatus int
		wantReqID  string
	}{
		{name: "events arrive while waiting", during: complete, done: Exchange.Complete, wantStatus: 200, wantReqID: "1"},
		{name: "already complete", before: complete, done: Exchange.Complete, wantStatus: 200, wantReqID: "1"},
		{
			name:       "request seen is enough for WaitRequest",
			during:     complete[:2],
			done:       Exchange.RequestSeen,
			wantStatus: 0,
			wantReqID:  "1",
		},
		{
			name: "skips non-matching and earlier exchanges",
			before: []any{
				willBeSent("0", target, network.ResourceTypeDocument), failed("0", "net::ERR_ABORTED"), // before since
				willBeSent("x", "https://other.acme.test/", network.ResourceTypeDocument), failed("x", "net::ERR_ABORTED"),
			},
			since:      1,
			during:     complete,
			done:       Exchange.Complete,
			wantStatus: 200,
			wantReqID:  "1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecorder()
			for _, ev := range tt.before {
				r.handle(ev)
			}
			go func() {
				for _, ev := range tt.during {
					time.Sleep(time.Millisecond)
					r.handle(ev)
				}
			}()
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			x, err := r.wait(ctx, tt.since, isURL(target), tt.done)
			if err != nil {
				t.Fatalf("wait() error = %v, want nil (exchange %+v)", err, x)
			}
			if x.RequestID != tt.wantReqID || x.Status != tt.wantStatus || !tt.done(x) {
				t.Errorf("wait() = request %q status %d done %v, want request %q status %d done true", x.RequestID, x.Status, tt.done(x), tt.wantReqID, tt.wantStatus)
			}
		})
	}
}

func TestRecorderWaitTimeout(t *testing.T) {
	const target = "https://app.acme.test/"
	tests := []struct {
		name        string
		events      []any
		wantPartial bool
	}{
		{name: "nothing recorded", wantPartial: false},
		{
			name:   "only other URLs",
			events: []any{willBeSent("1", "https://other.acme.test/", network.ResourceTypeDocument)},
		},
		{
			name: "partial exchange is returned",
			events: []any{
				willBeSent("1", target, network.ResourceTypeDocument),
				requestExtra("1", associated("mf_jwt_token")),
			},
			wantPartial: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecorder()
			for _, ev := range tt.events {
				r.handle(ev)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			x, err := r.wait(ctx, 0, isURL(target), Exchange.Complete)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("wait() error = %v, want %v", err, context.DeadlineExceeded)
			}
			if tt.wantPartial {
				if x.RequestID != "1" || x.URL != target || !x.RequestSeen() || x.Complete() || len(x.Cookies) != 1 {
					t.Errorf("wait() on timeout = %+v, want the partial exchange of %s", x, target)
				}
				return
			}
			if !reflect.DeepEqual(x, Exchange{}) {
				t.Errorf("wait() on timeout = %+v, want the zero Exchange", x)
			}
		})
	}
}

// TestRecorderBounded: a page that makes more requests than the recorder
// keeps cannot grow it without end, and the session says how many it
// dropped.
func TestRecorderBounded(t *testing.T) {
	r := newRecorder()
	for i := range maxExchanges + 5 {
		r.handle(willBeSent(fmt.Sprint("req-", i), "https://a.test/x", network.ResourceTypeFetch))
	}
	for i := range maxEarly + 3 {
		r.handle(requestExtra(fmt.Sprint("orphan-", i)))
	}
	s := &Session{rec: r}
	if n := len(s.Exchanges()); n != maxExchanges {
		t.Errorf("recorded %d exchanges, want the cap %d", n, maxExchanges)
	}
	if got, want := s.Dropped(), 5+3; got != want {
		t.Errorf("Dropped() = %d, want %d", got, want)
	}
}
