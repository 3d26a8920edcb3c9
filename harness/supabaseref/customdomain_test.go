package supabaseref

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/harness/hostmap"
)

// TestCustomDomain: a project with a custom domain answers there as on its
// own host — one project, one user store — and Close stops both.
func TestCustomDomain(t *testing.T) {
	d, _ := start(t, func(p *Profile) { p.CustomDomain = "auth.supabase.test" })
	if !strings.HasPrefix(d.CustomDomainURL, "https://auth.supabase.test:") || d.CustomDomainURL == d.ProjectURL {
		t.Fatalf("CustomDomainURL = %q, want https://auth.supabase.test:<port> besides %s", d.CustomDomainURL, d.ProjectURL)
	}
	var m hostmap.Map
	if err := m.Add("*.supabase.test", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{DialContext: m.DialContext, TLSClientConfig: &tls.Config{RootCAs: authority(t).Pool}}
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	key := map[string]string{"apikey": d.Key}
	signIn := call(t, c, http.MethodPost, d.CustomDomainURL+"/auth/v1/token?grant_type=password", key, map[string]string{"email": d.Email, "password": d.Password})
	if signIn.status != http.StatusOK {
		t.Fatalf("sign-in on the custom domain = %d %s, want 200", signIn.status, signIn.raw)
	}
	auth := map[string]string{"apikey": d.Key, "Authorization": "Bearer " + signIn.body["access_token"].(string)}
	if r := call(t, c, http.MethodGet, d.ProjectURL+"/auth/v1/user", auth, nil); r.status != http.StatusOK {
		t.Errorf("the custom domain's token on the project host: GET /user = %d %s, want 200", r.status, r.raw)
	}
	// The project host's name is refused on the custom domain's server.
	req, _ := http.NewRequest(http.MethodGet, d.CustomDomainURL+"/auth/v1/health", nil)
	req.Host = "other.supabase.test"
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("other Host on the custom domain's server = %v, %v, want 421", resp, err)
	} else {
		resp.Body.Close()
	}
}

// TestUserMetadata: the seeded user's user_metadata is in the user object
// and in every access token, as GoTrue copies raw_user_meta_data; a user
// without any has {}.
func TestUserMetadata(t *testing.T) {
	tests := []struct {
		name string
		meta map[string]any
		want map[string]any
	}{
		{name: "default", meta: DefaultMetadata(), want: roundTrip(t, DefaultMetadata())},
		{name: "none", meta: nil, want: map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, c := start(t, func(p *Profile) { p.User.Metadata = tt.meta })
			r := call(t, c, http.MethodPost, d.ProjectURL+"/auth/v1/token?grant_type=password", map[string]string{"apikey": d.Key}, map[string]string{"email": d.Email, "password": d.Password})
			if r.status != http.StatusOK {
				t.Fatalf("sign-in = %d %s", r.status, r.raw)
			}
			user, _ := r.body["user"].(map[string]any)
			if got := user["user_metadata"]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("user.user_metadata = %v, want %v", got, tt.want)
			}
			if got := payload(t, r.body["access_token"].(string))["user_metadata"]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("access token user_metadata = %v, want %v", got, tt.want)
			}
		})
	}
}

// roundTrip is v as it reads back from JSON.
func roundTrip(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
