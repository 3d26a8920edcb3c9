package reports

import (
	"testing"

	"github.com/mfconform/mfconform/harness/browser/browsertest"
)

// shared is the package's one test browser (browsertest): a live test
// opens report files in a session of its own on it.
var shared = &browsertest.Shared{}

func TestMain(m *testing.M) { browsertest.Main(m, shared) }
