package sbcheck

import (
	"strings"
	"testing"

	"github.com/mfconform/mfconform/suites/redact"
)

// TestKeyNeverInDiagnostics: for every key input the tests use, no
// diagnostic of ReadKey, CheckKeyPublic, CheckKeyProject or CheckKeyExpiry
// (as d.String() renders it), nor KeyInfo.String, contains the key — raw
// or cleaned — or a legacy key's signature.
func TestKeyNeverInDiagnostics(t *testing.T) {
	raws := []string{
		legacyKey(t, otherRef, "anon"),
		legacyKey(t, testRef, "authenticated"),
		` "` + testSecretKey + `" `,
		"'" + legacyKey(t, testRef, "service_role") + "'\r\n",
	}
	for _, c := range readKeyCases(t) {
		raws = append(raws, c.raw)
	}
	for _, raw := range raws {
		shown := redact.Prefix(raw)
		k, ds := ReadKey(raw)
		ds = append(ds, CheckKeyPublic(k)...)
		for _, u := range []string{testURL, "https://" + otherRef + ".supabase.co"} {
			info, _ := CheckURL(u)
			more, _ := CheckKeyProject(k, info)
			ds = append(ds, more...)
		}
		ds = append(ds, CheckKeyExpiry(k, testNow)...)
		ds = append(ds, CheckKeyExpiry(k, testNow.AddDate(20, 0, 0))...)

		secrets := []string{raw, strings.TrimSpace(raw), k.Clean}
		if parts := strings.Split(k.Clean, "."); len(parts) == 3 && parts[2] != "" {
			secrets = append(secrets, parts[2]) // the signature alone replays nothing, but is never shown
		}
		texts := []string{"KeyInfo.String() = " + k.String()}
		for _, d := range ds {
			texts = append(texts, d.String())
		}
		for _, text := range texts {
			for _, s := range secrets {
				if strings.TrimSpace(s) == "" {
					continue
				}
				if strings.Contains(text, s) {
					t.Errorf("key %s: text reveals it (%s):\n%s", shown, redact.Prefix(s), redact.Secrets(text, secrets...))
				}
			}
		}
	}
}
