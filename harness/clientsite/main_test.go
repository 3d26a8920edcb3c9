package clientsite_test

import (
	"testing"

	"github.com/mfconform/mfconform/harness/browser/browsertest"
)

// shared is the package's one test browser (browsertest): every live test
// here drives pages in a session of its own on it, and serves its sites
// with its certificate.
var shared = &browsertest.Shared{Hosts: []string{"*.acme.test", "*.supabase.test"}}

func TestMain(m *testing.M) { browsertest.Main(m, shared) }
