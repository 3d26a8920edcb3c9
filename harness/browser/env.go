package browser

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// browserEnvNames and browserEnvPrefixes are what Chromium may take from
// mfconform's environment: the search path, locale, fonts and the desktop
// search paths (XDG_*), and where a setuid sandbox helper lives. HOME and
// the XDG base directories are then replaced by the run's own (homeDirs). Nothing
// else — AUTH_SECRET_KEY, SUPABASE_JWT_SECRET, test passwords, proxy
// credentials — reaches the browser, whose renderers run the pages under
// test. Proxies come from --proxy only, as for mfconform's own requests.
var (
	browserEnvNames    = []string{"PATH", "HOME", "LANG", "LANGUAGE", "CHROME_DEVEL_SANDBOX"}
	browserEnvPrefixes = []string{"LC_", "FONTCONFIG_", "XDG_"}
)

// homeDir is one of the folders Chromium is given as its own: the
// variable that names it and its path.
type homeDir struct{ name, path string }

// homeDirs are HOME and the XDG base directories (XDG Base Directory
// Specification 0.8) Chromium gets, all inside home, which lives in the
// run's folder: what Chromium and the libraries it loads write for
// themselves (crash reports under $XDG_CONFIG_HOME/chromium, dconf's
// cache, downloads, an NSS database) land there and go with the run, never
// in the operator's home. XDG_RUNTIME_DIR is replaced too, so Chromium
// does not reach the operator's session services (the D-Bus session bus
// at $XDG_RUNTIME_DIR/bus). The operator's other XDG_ variables (the
// system search paths XDG_DATA_DIRS, XDG_CONFIG_DIRS) still pass.
func homeDirs(home string) []homeDir {
	return []homeDir{
		{"HOME", home},
		{"XDG_CONFIG_HOME", filepath.Join(home, ".config")},
		{"XDG_CACHE_HOME", filepath.Join(home, ".cache")},
		{"XDG_DATA_HOME", filepath.Join(home, ".local", "share")},
		{"XDG_STATE_HOME", filepath.Join(home, ".local", "state")},
		{"XDG_RUNTIME_DIR", filepath.Join(home, ".run")},
	}
}

// browserEnv returns Chromium's whole environment: the variables of environ
// (NAME=value lines) that browserEnvNames and browserEnvPrefixes admit,
// then set (NAME=value lines, e.g. TMPDIR), which replace any of the same
// name.
func browserEnv(environ []string, set ...string) []string {
	replaced := map[string]bool{}
	for _, kv := range set {
		name, _, _ := strings.Cut(kv, "=")
		replaced[name] = true
	}
	var env []string
	for _, kv := range environ {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || replaced[name] || !browserEnvAllowed(name) {
			continue
		}
		env = append(env, kv)
	}
	return append(env, set...)
}

// browserEnvAllowed reports whether Chromium may see the variable name.
func browserEnvAllowed(name string) bool {
	for _, n := range browserEnvNames {
		if name == n {
			return true
		}
	}
	for _, p := range browserEnvPrefixes {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			return true
		}
	}
	return false
}

// envNoSandbox names the variable that, set to 1, starts Chromium without
// its sandbox although mfconform does not run as root. It is meant for
// throwaway containers and CI machines where Chromium's sandbox cannot
// work; the error of a launch that failed for the sandbox mentions it.
const envNoSandbox = "MFCONFORM_CHROMIUM_NO_SANDBOX"

// ErrSandbox is returned by Launch when Chromium cannot set its sandbox up.
var ErrSandbox = errors.New("chromium cannot start its sandbox")

// SandboxHint tells an operator how to give Chromium a working sandbox.
const SandboxHint = "as a user other than root Chromium sandboxes its renderers with unprivileged user namespaces " +
	"(enable them: sysctl kernel.unprivileged_userns_clone=1 on Debian, and on Ubuntu 24.04 or later " +
	"sysctl kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile for the browser) " +
	"or with its setuid helper (install it, e.g. the chromium-sandbox package, or point CHROME_DEVEL_SANDBOX at chrome-sandbox); " +
	"only where neither is possible and the machine is disposable, set " + envNoSandbox + "=1 to run it without a sandbox"

// noSandbox reports whether Chromium starts without its sandbox: as root,
// where Chromium refuses to sandbox itself, or when envNoSandbox is 1.
func noSandbox() bool {
	return os.Geteuid() == 0 || os.Getenv(envNoSandbox) == "1"
}

// sandboxFailure reports whether a failed start was Chromium giving up on
// its sandbox: "No usable sandbox!" (no user namespaces and no setuid
// helper) or a setuid helper that is installed wrongly. chromedp puts the
// browser's output in the error of a failed start.
func sandboxFailure(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "No usable sandbox") || strings.Contains(msg, "SUID sandbox helper binary")
}
