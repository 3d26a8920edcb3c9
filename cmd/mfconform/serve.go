package main

import (
	"golang.org/x/net/publicsuffix"

	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/mfconform/mfconform/cmd/mfconform/internal/runner"
	"github.com/mfconform/mfconform/cmd/mfconform/internal/settings"
	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/harness/deployment"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/harness/reference"
	"github.com/mfconform/mfconform/harness/supabaseref"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/redact"
)

// serveOptions is the configuration of `mfconform serve-reference`:
// profile defaults, then the fixture, then flags that were set, then the
// environment's secrets. validate checks it before anything starts.
type serveOptions struct {
	FixtureName string // "" is the documented profile
	Mode        string // jwt, supabase or all
	Reference   reference.Profile
	Supabase    supabaseref.Profile
	// App is the reference Supabase app's profile; it is served on
	// Reference.Hosts.App (--app-host) in Supabase mode.
	App          clientsite.AppProfile
	Secret       []byte // AUTH_SECRET_KEY
	SecretSource string // fixture, environment or generated
	// SupabaseSecretSource says where the reference project's JWT secret
	// (Supabase.JWTSecret; empty: the project makes one) comes from.
	SupabaseSecretSource string
	CAOut                string // "" writes into a temp dir removed on exit
	EnvOut               string // "" writes no env file
	PrintSecrets         bool
}

// runs reports whether the options start the part of mode m.
func (o serveOptions) runs(m string) bool { return o.Mode == "all" || o.Mode == m }

// plan is what serve-reference serves (harness/deployment): the JWT
// reference deployment and/or the reference Supabase project with the
// reference app on the app host.
func (o serveOptions) plan() deployment.Plan {
	var p deployment.Plan
	if o.runs("jwt") {
		ref := o.Reference
		p.JWT = &deployment.JWT{Reference: &ref, Secret: o.Secret}
	}
	if o.runs("supabase") {
		sb := o.Supabase
		p.Supabase = &deployment.Supabase{Project: &sb, AppHost: o.Reference.Hosts.App, App: o.App, Vars: runner.ProjectVars}
	}
	return p
}

// validate reports the first thing that makes o unusable.
func (o serveOptions) validate() error {
	if o.Mode != "jwt" && o.Mode != "supabase" && o.Mode != "all" {
		return fmt.Errorf("%w: serve-reference: --mode %q: want jwt, supabase or all", errUsage, o.Mode)
	}
	for _, h := range o.plan().Names() {
		if err := checkHostName(h); err != nil {
			return fmt.Errorf("%w: serve-reference: %v", errUsage, err)
		}
	}
	return nil
}

// checkHostName accepts a DNS name: letters, digits, hyphens and dots, no
// port, no scheme, not an IP address.
func checkHostName(h string) error {
	if h == "" || len(h) > 253 || net.ParseIP(h) != nil || strings.HasPrefix(h, ".") || strings.HasSuffix(h, ".") || strings.Contains(h, "..") {
		return fmt.Errorf("host %q: want a host name such as login.acme.test", h)
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return fmt.Errorf("host %q: want a host name such as login.acme.test", h)
		}
	}
	return nil
}

// serveFlags are the values of `mfconform serve-reference`'s flags.
type serveFlags struct {
	fixture, mode, loginHost, appHost, embedHost, sbRef, sbDomain, caOut, envOut string
	printSecrets, secretFromEnv                                                  bool
}

// serveSettings is the table of serve-reference's flags.
var serveSettings = func() *settings.Table[serveFlags] {
	defRef, defSB := reference.DefaultProfile(), supabaseref.DefaultProfile()
	str := func(p func(*serveFlags) *string) *settings.Field[serveFlags, string] { return settings.String(p) }
	return &settings.Table[serveFlags]{
		Command: "serve-reference",
		Settings: []settings.Setting[serveFlags]{
			{Flag: "fixture", Arg: "NAME", Usage: "serve this fixture of the embedded reference deployment (default: the documented profile)",
				Value: str(func(v *serveFlags) *string { return &v.fixture })},
			{Flag: "mode", Arg: "MODE", Usage: "what to start: jwt (backend, app, embed site), supabase (reference project) or all",
				Value: str(func(v *serveFlags) *string { return &v.mode }).Default("all").OneOf("all", "jwt", "supabase")},
			{Flag: "login-host", Arg: "HOST", Usage: "host name of the backend that sets the cookie (its Domain becomes this host's registrable domain unless a fixture sets another)",
				Value: str(func(v *serveFlags) *string { return &v.loginHost }).Default(defRef.Hosts.Login)},
			{Flag: "app-host", Arg: "HOST", Usage: "host name of the reference app (JWT mode's verifier; in Supabase mode the frontend with its sign-in page under /app/login)",
				Value: str(func(v *serveFlags) *string { return &v.appHost }).Default(defRef.Hosts.App)},
			{Flag: "embed-host", Arg: "HOST", Usage: "host name of the site that embeds the app",
				Value: str(func(v *serveFlags) *string { return &v.embedHost }).Default(defRef.Hosts.Embed)},
			{Flag: "supabase-ref", Arg: "REF", Usage: "project ref of the reference Supabase project (host REF.DOMAIN)",
				Value: str(func(v *serveFlags) *string { return &v.sbRef }).Default(defSB.Ref)},
			{Flag: "supabase-domain", Arg: "DOMAIN", Usage: "domain of the reference Supabase project",
				Value: str(func(v *serveFlags) *string { return &v.sbDomain }).Default(defSB.Domain)},
			{Flag: "ca-out", Arg: "FILE", Usage: "write the per-run CA certificate (PEM) here (default: a temp file removed on exit)",
				Value: str(func(v *serveFlags) *string { return &v.caOut })},
			{Flag: "env-out", Arg: "FILE", Usage: "write a shell-sourceable file (mode 0600) with every secret and URL, for tests in another process",
				Value: str(func(v *serveFlags) *string { return &v.envOut })},
			{Flag: "secret-from-env", Usage: "sign with AUTH_SECRET_KEY (JWT deployment) and SUPABASE_JWT_SECRET (Supabase project) from the environment (default: keys made for this run, so the reference never hands out tokens valid for your real keys)",
				Value: settings.Bool(func(v *serveFlags) *bool { return &v.secretFromEnv })},
			{Flag: "print-secrets", Usage: "print AUTH_SECRET_KEY, SUPABASE_JWT_SECRET, the Supabase key and the test password in plain text " +
				"(a deliberate developer choice: they land in your terminal and scrollback; --env-out keeps them off stdout)",
				Value: settings.Bool(func(v *serveFlags) *bool { return &v.printSecrets })},
		},
	}
}()

// serveFlagSet declares serve-reference's flags over their defaults, for
// parsing.
func serveFlagSet() (*flag.FlagSet, *serveFlags) {
	v := &serveFlags{}
	serveSettings.SetDefaults(v)
	return serveSettings.FlagSet(v), v
}

// parseServeFlags builds the options from args and getenv.
func parseServeFlags(args []string, getenv func(string) string) (serveOptions, error) {
	defRef, defSB := reference.DefaultProfile(), supabaseref.DefaultProfile()
	fs, v := serveFlagSet()
	fixture, mode, loginHost, appHost, embedHost := &v.fixture, &v.mode, &v.loginHost, &v.appHost, &v.embedHost
	sbRef, sbDomain, caOut, envOut, printSecrets := &v.sbRef, &v.sbDomain, &v.caOut, &v.envOut, &v.printSecrets
	if err := serveSettings.ParseFlags(fs, args); err != nil {
		return serveOptions{}, fmt.Errorf("%w: serve-reference: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return serveOptions{}, fmt.Errorf("%w: serve-reference: unexpected argument %q", errUsage, fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	o := serveOptions{Mode: *mode, Reference: defRef, Supabase: defSB, App: clientsite.DefaultAppProfile(), CAOut: *caOut, EnvOut: *envOut, PrintSecrets: *printSecrets}
	if *fixture != "" {
		f, err := runner.Fixture(*fixture)
		if err != nil {
			return serveOptions{}, fmt.Errorf("%w: --fixture %w", runner.ErrConfig, err)
		}
		o.FixtureName, o.Reference, o.Supabase, o.App = f.Name, f.Profile(), f.SupabaseProfile(), f.AppProfile()
		if f.Secret != nil {
			o.Secret, o.SecretSource = append([]byte(nil), f.Secret...), "the fixture's key"
		}
	}
	overrides := []struct {
		flag string
		dst  *string
		val  string
	}{
		{"login-host", &o.Reference.Hosts.Login, *loginHost},
		{"app-host", &o.Reference.Hosts.App, *appHost},
		{"embed-host", &o.Reference.Hosts.Embed, *embedHost},
		{"supabase-ref", &o.Supabase.Ref, *sbRef},
		{"supabase-domain", &o.Supabase.Domain, *sbDomain},
	}
	for _, ov := range overrides {
		if set[ov.flag] {
			*ov.dst = strings.ToLower(strings.TrimSpace(ov.val))
		}
	}
	// A backend moved to another domain sets its cookie for that domain,
	// unless the profile (a fixture about the Domain) says otherwise.
	if set["login-host"] && o.Reference.Cookie.Domain == defRef.Cookie.Domain {
		if d, err := publicsuffix.EffectiveTLDPlusOne(o.Reference.Hosts.Login); err == nil {
			o.Reference.Cookie.Domain = "." + d
		}
	}
	if err := o.secrets(v.secretFromEnv, getenv); err != nil {
		return serveOptions{}, err
	}
	return o, o.validate()
}

// secrets chooses the keys the reference signs with: keys made for this
// run unless the operator opts in to the environment's (never a flag's),
// AUTH_SECRET_KEY for the JWT deployment and SUPABASE_JWT_SECRET for the
// Supabase project — each only for the part the mode starts, and each
// must then be set. A fixture about the key itself keeps its own. A
// reference that signed with the operator's real keys would hand tokens
// valid for them to any local process that asks its /login or signs in at
// its project.
func (o *serveOptions) secrets(fromEnv bool, getenv func(string) string) error {
	var missing []string
	if fromEnv && o.runs("jwt") && o.Secret == nil {
		if k := getenv("AUTH_SECRET_KEY"); k != "" {
			o.Secret, o.SecretSource = []byte(k), "from the environment"
		} else {
			missing = append(missing, "AUTH_SECRET_KEY")
		}
	}
	o.SupabaseSecretSource = "generated for this run"
	if fromEnv && o.runs("supabase") && len(o.Supabase.JWTSecret) == 0 {
		if k := getenv("SUPABASE_JWT_SECRET"); k != "" {
			o.Supabase.JWTSecret, o.SupabaseSecretSource = []byte(k), "from the environment"
		} else {
			missing = append(missing, "SUPABASE_JWT_SECRET")
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: serve-reference: --secret-from-env, but %s is not set (--mode jwt or --mode supabase starts one part only)", errUsage, strings.Join(missing, " and "))
	}
	if o.Secret == nil {
		o.Secret, o.SecretSource = runner.NewSecret(), "generated for this run"
	}
	return nil
}

// served is what serve-reference started, for the banner and the env file.
type served struct {
	jwt    *reference.Deployment
	sb     *supabaseref.Deployment
	app    *clientsite.Site // the reference Supabase app; nil without its bundles
	appErr error            // why there is no app
	ca     *pki.Authority
	caFile string
}

// serveCmd is `mfconform serve-reference`: start the reference deployment
// and/or the reference Supabase project, print how to reach them, and serve
// until ctx is cancelled.
func serveCmd(ctx context.Context, args []string, stdout io.Writer) (code int, err error) {
	o, err := parseServeFlags(args, os.Getenv)
	if err != nil {
		return exitToolError, err
	}
	// Cleanups run in reverse order of birth, also on a failed start.
	var cleanups []func() error
	defer func() {
		var errs []error
		for _, c := range slices.Backward(cleanups) {
			errs = append(errs, c())
		}
		if cerr := errors.Join(errs...); cerr != nil && err == nil {
			code, err = exitToolError, fmt.Errorf("serve-reference: stop: %w", cerr)
		}
	}()

	plan := o.plan()
	s := served{}
	if s.ca, err = pki.New(plan.Names()); err != nil {
		return exitToolError, fmt.Errorf("serve-reference: %w", err)
	}
	s.caFile = o.CAOut
	if s.caFile == "" {
		dir, err := os.MkdirTemp("", "mfconform-serve-")
		if err != nil {
			return exitToolError, fmt.Errorf("serve-reference: CA file: %w", err)
		}
		cleanups = append(cleanups, func() error { return os.RemoveAll(dir) })
		s.caFile = filepath.Join(dir, "ca.pem")
	}
	if err := writeCAFile(s.caFile, s.ca.CertPEM); err != nil {
		return exitToolError, fmt.Errorf("serve-reference: CA file: %w", err)
	}

	servers, err := plan.Start(deployment.Env{CA: s.ca})
	if err != nil {
		return exitToolError, fmt.Errorf("serve-reference: %w", err)
	}
	cleanups = append(cleanups, servers.Close)
	s.jwt, s.sb = servers.JWT, servers.Project
	// The reference app is the client site's /app/; without a browser
	// bundle there is none, and the banner says why.
	if s.appErr = errors.Join(servers.ClientErr, servers.AppErr); s.appErr == nil {
		s.app = servers.Client
	}
	if o.EnvOut != "" {
		remove, err := writeEnvFile(o.EnvOut, o, s)
		if err != nil {
			return exitToolError, fmt.Errorf("serve-reference: env file: %w", err)
		}
		cleanups = append(cleanups, remove)
	}

	// Everything listens: the first line tells a waiting test so.
	printBanner(stdout, o, s)
	<-ctx.Done()
	fmt.Fprintln(stdout, "mfconform reference deployment stopping.")
	return exitOK, nil
}

// printBanner writes the "is up" line and how to reach everything. Secrets
// appear only as fingerprints unless o.PrintSecrets.
func printBanner(w io.Writer, o serveOptions, s served) {
	what := "documented profile"
	if o.FixtureName != "" {
		what = "fixture " + o.FixtureName
	}
	fmt.Fprintf(w, "mfconform reference deployment is up (%s); Ctrl-C stops it.\n", what)
	line := func(label, format string, a ...any) {
		fmt.Fprintf(w, "  %-11s %s\n", label, fmt.Sprintf(format, a...))
	}
	secret := func(v []byte) string {
		if o.PrintSecrets {
			return printable(string(v))
		}
		return redact.Fingerprint(v)
	}
	var origins []string // every served origin, for --resolve
	if s.jwt != nil {
		line("login URL", "%s", s.jwt.LoginURL)
		line("app URL", "%s", s.jwt.AppURL)
		line("embed URL", "%s", s.jwt.EmbedURL)
		origins = append(origins, s.jwt.LoginURL, s.jwt.AppURL, s.jwt.EmbedURL)
	}
	if s.sb != nil {
		line("supabase", "%s", s.sb.ProjectURL)
		if s.sb.URL != s.sb.ProjectURL {
			line("", "NEXT_PUBLIC_SUPABASE_URL is %s as the fixture configures it", printable(s.sb.URL))
		}
		origins = append(origins, s.sb.ProjectURL)
		if s.sb.CustomDomainURL != "" {
			line("", "custom domain %s", s.sb.CustomDomainURL)
			origins = append(origins, s.sb.CustomDomainURL)
		}
		if s.app != nil {
			line("sb app", "%s (sign-in page %s%s)", s.app.URL, s.app.URL, clientsite.LoginPath)
			origins = append(origins, s.app.URL)
		} else if s.appErr != nil {
			line("sb app", "not served: %v", s.appErr)
		}
	}
	line("CA file", "%s", s.caFile)
	var resolves []string
	for _, u := range origins {
		resolves = append(resolves, resolveFlag(u))
	}
	line("resolve", "%s", strings.Join(resolves, " "))
	var rules []string
	for _, h := range o.plan().Names() {
		rules = append(rules, "MAP "+h+" "+deployment.Loopback)
	}
	line("chromium", "--host-resolver-rules=%q --ignore-certificate-errors-spki-list=%s", strings.Join(rules, ", "), s.ca.LeafSPKIHash)
	if s.jwt != nil {
		hint := ""
		if !o.PrintSecrets {
			hint = "; --print-secrets or --env-out shows it"
		}
		fmt.Fprintf(w, "  %-24s %s (%s%s)\n", "AUTH_SECRET_KEY", secret(s.jwt.Secret), o.SecretSource, hint)
	}
	if s.sb != nil {
		fmt.Fprintf(w, "  %-24s %s (%s)\n", "SUPABASE_JWT_SECRET", secret(s.sb.JWTSecret), o.SupabaseSecretSource)
		user := "test user " + s.sb.Email
		if o.PrintSecrets {
			user += " password " + printable(s.sb.Password)
		}
		fmt.Fprintf(w, "  %-24s %s  %s\n", "NEXT_PUBLIC_SUPABASE_KEY", secret([]byte(s.sb.Key)), user)
	}
	if o.EnvOut != "" {
		line("env file", "%s (. %s)", o.EnvOut, shellQuote(o.EnvOut))
	}
	if s.jwt != nil {
		line("curl", "curl --cacert %s %s -i %s", shellQuote(s.caFile), resolveFlag(s.jwt.LoginURL), s.jwt.LoginURL)
	}
	if s.sb != nil {
		line("curl", `curl --cacert %s %s -H "apikey: $NEXT_PUBLIC_SUPABASE_KEY" %s/auth/v1/health`,
			shellQuote(s.caFile), resolveFlag(s.sb.ProjectURL), s.sb.ProjectURL)
	}
}

// resolveFlag is curl's --resolve host:port:127.0.0.1 for a served URL.
func resolveFlag(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return "--resolve " + u.Hostname() + ":" + port + ":127.0.0.1"
}

// writeEnvFile writes the secrets and URLs as `export NAME='value'` lines,
// readable only by the owner, through the reports' safe writer: a new file
// renamed into place in a folder of the operator's (never through a link,
// never over another user's file, so nobody else holds it open or chose
// its mode). It returns what removes the file when serve-reference stops:
// the values are valid only while it runs.
func writeEnvFile(path string, o serveOptions, s served) (remove func() error, err error) {
	var b strings.Builder
	b.WriteString("# mfconform serve-reference: valid while it runs (pid " + strconv.Itoa(os.Getpid()) + "); removed when it stops.\n")
	export := func(name, value string) {
		b.WriteString("export " + name + "=" + shellQuote(value) + "\n")
	}
	export("MFCONFORM_CA_FILE", s.caFile)
	if s.jwt != nil {
		export("AUTH_SECRET_KEY", string(s.jwt.Secret))
		export("MFCONFORM_LOGIN_URL", s.jwt.LoginURL)
		export("MFCONFORM_APP_URL", s.jwt.AppURL)
		export("MFCONFORM_EMBED_URL", s.jwt.EmbedURL)
	}
	if s.sb != nil {
		export("NEXT_PUBLIC_SUPABASE_URL", s.sb.URL)
		export("NEXT_PUBLIC_SUPABASE_KEY", s.sb.Key)
		export("SUPABASE_TEST_EMAIL", s.sb.Email)
		export("SUPABASE_TEST_PASSWORD", s.sb.Password)
		export("SUPABASE_JWT_SECRET", string(s.sb.JWTSecret))
		if s.app != nil {
			export("MFCONFORM_SUPABASE_APP_URL", s.app.URL)
		}
	}
	if err := reports.WritePrivateFile(path, []byte(b.String())); err != nil {
		return nil, err
	}
	return func() error { return reports.RemoveOwnFile(path) }, nil
}

// writeCAFile writes the run's CA certificate (public, mode 0644) where
// --ca-out says, through the same safe writer as the env file.
func writeCAFile(path string, certPEM []byte) error {
	return reports.WriteFile(path, certPEM)
}

// shellQuote single-quotes s for a POSIX shell; each single quote inside
// closes the quoting, adds an escaped quote and reopens it.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// printable returns s as is, or Go-quoted when it holds control or
// non-printing characters (a key with a trailing newline stays visible).
func printable(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}
