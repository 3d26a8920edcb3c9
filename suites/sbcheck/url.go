// Package sbcheck holds the pure judgments of Supabase mode: reading
// NEXT_PUBLIC_SUPABASE_URL and NEXT_PUBLIC_SUPABASE_KEY, classifying keys,
// mapping the gateway's and the auth API's answers (the symptoms users see)
// to causes, and checking user access tokens. No network, no Ginkgo.
package sbcheck

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/redact"
)

// URLInfo is NEXT_PUBLIC_SUPABASE_URL as read.
type URLInfo struct {
	// Origin is the project origin the checks after the URL's own use:
	// https, host and port, no path. Empty when the value is unusable.
	Origin string
	Host   string
	// Ref is the project ref supabase-js derives: the first label of the
	// host name.
	Ref string
}

const urlExpected = "an absolute https origin, e.g. https://<project-ref>.supabase.co, with no path"

// CheckURL reads the URL and reports what is wrong with it. Origin is
// filled whenever a host can be read, so the remaining checks can go on as
// if the value were fixed.
func CheckURL(raw string) (URLInfo, []diag.Diagnostic) {
	if strings.TrimSpace(raw) == "" {
		return URLInfo{}, []diag.Diagnostic{diag.New(diag.SupabaseURLMissing, urlExpected,
			"NEXT_PUBLIC_SUPABASE_URL is empty or unset")}
	}
	var problems []string
	clean := strings.TrimSpace(raw)
	if clean != raw {
		problems = append(problems, "surrounding whitespace or a newline")
	}
	if unq := strings.Trim(clean, `"'`); unq != clean {
		problems = append(problems, "wrapped in quotes")
		clean = unq
	}
	u, err := url.Parse(clean)
	if err != nil || u.Host == "" || u.Scheme == "" {
		return URLInfo{}, []diag.Diagnostic{diag.Newf(diag.SupabaseURLInvalid, urlExpected,
			"%q is not an absolute URL", redact.URL(clean))}
	}
	// Browsers lower-case the host, and supabase-js reads the ref from it.
	host := strings.ToLower(u.Host)
	info := URLInfo{Origin: "https://" + host, Host: strings.ToLower(u.Hostname())}
	info.Ref, _, _ = strings.Cut(info.Host, ".")
	switch {
	case u.Scheme == "http":
		problems = append(problems, "http:// instead of https:// (the key and every session token would cross the network in clear, and an https app may not call it at all)")
	case u.Scheme != "https":
		problems = append(problems, "scheme "+u.Scheme+":// instead of https://")
	}
	if p := strings.TrimSuffix(u.Path, "/"); p != "" {
		hint := ""
		if strings.HasPrefix(p, "/auth/v1") || strings.HasPrefix(p, "/rest/v1") {
			hint = " — supabase-js appends " + p[:8] + " itself, so requests go to " + p + p[:8] + "/… and fail with 404"
		}
		problems = append(problems, fmt.Sprintf("a path %s%s", p, hint))
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		problems = append(problems, "a query, fragment or user info")
	}
	if len(problems) == 0 {
		return info, nil
	}
	return info, []diag.Diagnostic{diag.Newf(diag.SupabaseURLInvalid, urlExpected,
		"NEXT_PUBLIC_SUPABASE_URL has %s", strings.Join(problems, "; "))}
}
