package browser_test

import (
	"testing"

	"github.com/mfconform/mfconform/harness/browser/browsertest"
)

// shared is the package's one test browser (browsertest): the live tests
// that need no launch options of their own open a session on it. These
// launch their own, for what they test is the launch or the browser
// itself: TestSessionLive (closing, and the temporary files Chromium
// leaves), TestDownloadsRefused (what lands in the browser's folder and
// HOME), TestNoHiddenBrowserUI (the browser's processes), TestBrowserEnv,
// TestLaunchEnvironment, TestLaunchWithoutUsableSandbox and
// TestLaunchAsNonRoot (the environment and sandbox of the launch),
// TestCAPEMLive (Options.CAPEM), TestProxyCredentialsStayOffTheCommandLine
// (Options.ProxyServer), TestSharedBrowser and the relay tests
// (Options.ShareSocket), and TestSiteIsolationProbe (flags of its own).
var shared = &browsertest.Shared{Hosts: []string{"*.acme.test", "*.other.test", "*.hostile.test"}}

func TestMain(m *testing.M) { browsertest.Main(m, shared) }
