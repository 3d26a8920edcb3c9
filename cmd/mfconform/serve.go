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
	"github.com/mfconform/mfconform/fixtures"
	"github.com/mfconform/mfconform/harness/clientsite"
	"github.com/mfconform/mfconform/harness/pki"
	"github.com/mfconform/mfconform/harness/reference"
	"github.com/mfconform/mfconform/harness/supabaseref"
	"github.com/mfconform/mfconform/reports"
	"github.com/mfconform/mfconform/suites/redact"
	"github.com/mfconform/mfconform/suites/sbcheck"
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
	CAOut        string // "" writes into a temp dir removed on exit
	EnvOut       string // "" writes no env file
	PrintSecrets bool
}

// runs reports whether the options start the part of mode m.
func (o serveOptions) runs(m string) bool { return o.Mode == "all" || o.Mode == m }

// hosts is every host name served, sorted and without duplicates.
func (o serveOptions) hosts() []string {
	var hs []string
	if o.runs("jwt") {
		hs = append(hs, o.Reference.Hosts.Login, o.Reference.Hosts.App, o.Reference.Hosts.Embed)
	}
	if o.runs("supabase") {
		hs = append(hs, o.Supabase.Host(), o.Reference.Hosts.App)
		if o.Supabase.CustomDomain != "" {
			hs = append(hs, o.Supabase.CustomDomain)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(hs)))
}

// validate reports the first thing that makes o unusable.
func (o serveOptions) validate() error {
	if o.Mode != "jwt" && o.Mode != "supabase" && o.Mode != "all" {
		return fmt.Errorf("%w: serve-reference: --mode %q: want jwt, supabase or all", errUsage, o.Mode)
	}
	for _, h := range o.hosts() {
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

// serveFlagSet declares serve-reference's flags, for parsing and for help.
func serveFlagSet() (*flag.FlagSet, *serveFlags) {
	defRef, defSB := reference.DefaultProfile(), supabaseref.DefaultProfile()
	v := &serveFlags{}
	fs := flag.NewFlagSet("serve-reference", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&v.fixture, "fixture", "", "serve this fixture of the embedded reference deployment (default: the documented profile)")
	fs.StringVar(&v.mode, "mode", "all", "what to start: jwt (backend, app, embed site), supabase (reference project) or all")
	fs.StringVar(&v.loginHost, "login-host", defRef.Hosts.Login, "host name of the backend that sets the cookie (its Domain becomes this host's registrable domain unless a fixture sets another)")
	fs.StringVar(&v.appHost, "app-host", defRef.Hosts.App, "host name of the reference app (JWT mode's verifier; in Supabase mode the frontend with its sign-in page under /app/login)")
	fs.StringVar(&v.embedHost, "embed-host", defRef.Hosts.Embed, "host name of the site that embeds the app")
	fs.StringVar(&v.sbRef, "supabase-ref", defSB.Ref, "project ref of the reference Supabase project (host REF.DOMAIN)")
	fs.StringVar(&v.sbDomain, "supabase-domain", defSB.Domain, "domain of the reference Supabase project")
	fs.StringVar(&v.caOut, "ca-out", "", "write the per-run CA certificate (PEM) here (default: a temp file removed on exit)")
	fs.StringVar(&v.envOut, "env-out", "", "write a shell-sourceable file (mode 0600) with every secret and URL, for tests in another process")
	fs.BoolVar(&v.secretFromEnv, "secret-from-env", false, "sign with AUTH_SECRET_KEY from the environment (default: a key made for this run, so the reference never hands out tokens valid for your real key)")
	fs.BoolVar(&v.printSecrets, "print-secrets", false, "print AUTH_SECRET_KEY, SUPABASE_JWT_SECRET, the Supabase key and the test password in plain text "+
		"(a deliberate developer choice: they land in your terminal and scrollback; --env-out keeps them off stdout)")
	return fs, v
}

// parseServeFlags builds the options from args and getenv.
func parseServeFlags(args []string, getenv func(string) string) (serveOptions, error) {
	defRef, defSB := reference.DefaultProfile(), supabaseref.DefaultProfile()
	fs, v := serveFlagSet()
	fixture, mode, loginHost, appHost, embedHost := &v.fixture, &v.mode, &v.loginHost, &v.appHost, &v.embedHost
	sbRef, sbDomain, caOut, envOut, printSecrets := &v.sbRef, &v.sbDomain, &v.caOut, &v.envOut, &v.printSecrets
	if err := fs.Parse(args); err != nil {
		return serveOptions{}, fmt.Errorf("%w: serve-reference: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return serveOptions{}, fmt.Errorf("%w: serve-reference: unexpected argument %q", errUsage, fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	o := serveOptions{Mode: *mode, Reference: defRef, Supabase: defSB, App: clientsite.DefaultAppProfile(), CAOut: *caOut, EnvOut: *envOut, PrintSecrets: *printSecrets}
	if *fixture != "" {
		f, err := fixtures.Get(*fixture)
		if err != nil {
			return serveOptions{}, err
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
	// The reference signs with a key made for this run unless the operator
	// opts in to the environment's (never a flag's); a fixture about the
	// key itself keeps its own.
	if o.Secret == nil {
		switch k := getenv("AUTH_SECRET_KEY"); {
		case v.secretFromEnv && k != "":
			o.Secret, o.SecretSource = []byte(k), "from the environment"
		case v.secretFromEnv:
			return serveOptions{}, fmt.Errorf("%w: serve-reference: --secret-from-env, but AUTH_SECRET_KEY is not set", errUsage)
		default:
			o.Secret, o.SecretSource = runner.NewSecret(), "generated for this run"
		}
	}
	if k := getenv("SUPABASE_JWT_SECRET"); k != "" && len(o.Supabase.JWTSecret) == 0 {
		o.Supabase.JWTSecret = []byte(k)
	}
	return o, o.validate()
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

	s := served{}
	if s.ca, err = pki.New(o.hosts()); err != nil {
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

	if o.runs("jwt") {
		dep, err := reference.Start(o.Reference, o.Secret, s.ca)
		if err != nil {
			return exitToolError, fmt.Errorf("serve-reference: %w", err)
		}
		cleanups = append(cleanups, dep.Close)
		s.jwt = dep
	}
	if o.runs("supabase") {
		dep, err := supabaseref.Start(o.Supabase, s.ca)
		if err != nil {
			return exitToolError, fmt.Errorf("serve-reference: %w", err)
		}
		cleanups = append(cleanups, dep.Close)
		s.sb = dep
		if s.app, s.appErr = startApp(o, dep, s.ca); s.app != nil {
			cleanups = append(cleanups, s.app.Close)
		}
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

// startApp serves the reference Supabase app — the frontend whose own
// sign-in page a supabase.login_script drives — on the app host, built
// with the project's variables as the fixture configures them (cleaned as
// the checks read them). Without the browser bundles there is no app, and
// the error says how to get them.
func startApp(o serveOptions, dep *supabaseref.Deployment, ca *pki.Authority) (*clientsite.Site, error) {
	js, err := clientsite.FindBundle()
	if err != nil {
		return nil, err
	}
	ssr, err := clientsite.FindSSRBundle()
	if err != nil {
		return nil, err
	}
	u, _ := sbcheck.CheckURL(dep.URL)
	k, _ := sbcheck.ReadKey(dep.Key)
	app := clientsite.App{SupabaseURL: u.Origin, Key: k.Clean, Profile: o.App}
	if o.App.UseCustomDomain {
		app.SupabaseURL = dep.CustomDomainURL
	}
	return clientsite.StartWith(clientsite.Options{Host: o.Reference.Hosts.App, Bundle: js, SSRBundle: ssr, App: &app, CA: ca})
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
	for _, h := range o.hosts() {
		rules = append(rules, "MAP "+h+" 127.0.0.1")
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
		fmt.Fprintf(w, "  %-24s %s\n", "SUPABASE_JWT_SECRET", secret(s.sb.JWTSecret))
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
