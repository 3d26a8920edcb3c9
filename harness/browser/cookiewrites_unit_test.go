package browser

import (
	"testing"

	"github.com/chromedp/cdproto/runtime"
)

func TestRecorderBindingCalls(t *testing.T) {
	tests := []struct {
		name    string
		ev      *runtime.EventBindingCalled
		changed bool
		want    []CookieWrite
	}{
		{name: "a write", ev: &runtime.EventBindingCalled{Name: cookieWriteBinding,
			Payload: `{"name":"sb-x-auth-token.0","size":3210,"empty":false,"attrs":" Path=/; Secure ","url":"https://app.acme.test/"}`},
			changed: true, want: []CookieWrite{{Name: "sb-x-auth-token.0", Size: 3210, Attrs: "Path=/; Secure", URL: "https://app.acme.test/"}}},
		{name: "another binding", ev: &runtime.EventBindingCalled{Name: "somethingElse", Payload: `{"name":"a"}`}},
		{name: "not JSON", ev: &runtime.EventBindingCalled{Name: cookieWriteBinding, Payload: `name=a`}},
		{name: "no name", ev: &runtime.EventBindingCalled{Name: cookieWriteBinding, Payload: `{"size":3}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecorder()
			if got := r.apply(tt.ev); got != tt.changed {
				t.Errorf("apply() = %v, want %v", got, tt.changed)
			}
			if len(r.writes) != len(tt.want) {
				t.Fatalf("writes = %+v, want %+v", r.writes, tt.want)
			}
			for i := range tt.want {
				if r.writes[i] != tt.want[i] {
					t.Errorf("writes[%d] = %+v, want %+v", i, r.writes[i], tt.want[i])
				}
			}
		})
	}
}
