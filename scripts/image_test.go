package scripts

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// imageUID is the image's non-root user.
const imageUID = 10001

// imageTag is what TestImage builds.
const imageTag = "localhost/mfconform:image-test"

// TestImage builds a Debian bookworm base with debootstrap (cached), the
// image on it, and runs mfconform in it with buildah as a user would run it
// with docker: the default command, a run against a deployment by URL with
// a mounted folder and AUTH_SECRET_KEY from the environment, and an
// arbitrary uid. It runs only when MFCONFORM_IMAGE_TEST is set (`make
// image-test`); =require turns "this machine cannot" into a failure.
func TestImage(t *testing.T) {
	mode := os.Getenv("MFCONFORM_IMAGE_TEST")
	if mode == "" {
		t.Skip("builds a Debian base and the image (root, minutes): run `make image-test`")
	}
	root := repoRoot(t)
	if res := run(t, 10*time.Minute, root, nil, "./scripts/image.sh", "check"); res.code == 4 {
		msg := "image-test SKIPPED: this machine cannot build or run images: " + strings.TrimSpace(res.stderr)
		if mode == "require" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	} else if res.code != 0 {
		t.Fatalf("scripts/image.sh check: exit %d\n%s", res.code, res.stderr)
	}

	res := run(t, 20*time.Minute, root, nil, "./scripts/image.sh", "base")
	if res.code != 0 {
		t.Fatalf("scripts/image.sh base: exit %d\n%s", res.code, res.stderr)
	}
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	base := lines[len(lines)-1]
	t.Logf("base %s ready in %s\n%s", base, res.took.Round(100*time.Millisecond), res.stderr)

	// LAYERS: a second run reuses the apt-get layer instead of downloading
	// Chromium again.
	res = run(t, 30*time.Minute, root, append(os.Environ(), "IMAGE="+imageTag, "LAYERS=true"), "./scripts/image.sh", "build", base)
	if res.code != 0 {
		t.Fatalf("scripts/image.sh build: exit %d\n%s", res.code, res.stderr)
	}
	t.Logf("image built in %s: %s", res.took.Round(100*time.Millisecond), lastLine(res.stderr))

	cfg := inspectImage(t)
	t.Run("configuration", func(t *testing.T) {
		if cfg.User != "10001:10001" {
			t.Errorf("User = %q, want 10001:10001 (non-root, numeric)", cfg.User)
		}
		if !slices.Equal(cfg.Entrypoint, []string{"mfconform"}) || !slices.Equal(cfg.Cmd, []string{"run"}) {
			t.Errorf("Entrypoint, Cmd = %q, %q; want [mfconform], [run]", cfg.Entrypoint, cfg.Cmd)
		}
		if !slices.Contains(cfg.Env, "MFCONFORM_REPORT_DIR=/reports") {
			t.Errorf("Env = %q, want MFCONFORM_REPORT_DIR=/reports", cfg.Env)
		}
		for _, l := range []string{"org.opencontainers.image.source", "org.opencontainers.image.version", "org.opencontainers.image.licenses"} {
			if cfg.Labels[l] == "" {
				t.Errorf("label %s is missing (labels %v)", l, cfg.Labels)
			}
		}
		if cfg.Labels["org.opencontainers.image.licenses"] != "Apache-2.0" {
			t.Errorf("licenses label = %q, want Apache-2.0", cfg.Labels["org.opencontainers.image.licenses"])
		}
	})

	ctr := strings.TrimSpace(run(t, time.Minute, root, nil, "buildah", "from", "--pull=never", imageTag).stdout)
	if ctr == "" {
		t.Fatal("buildah from: no container")
	}
	t.Cleanup(func() { _ = exec.Command("buildah", "rm", ctr).Run() })

	t.Run("no compilers or npm", func(t *testing.T) {
		res := inContainer(t, ctr, runOpts{}, "sh", "-c", "for c in go gcc cc npm node make; do command -v $c; done; true")
		if out := strings.TrimSpace(res.stdout); out != "" {
			t.Errorf("the image has build tools: %s", out)
		}
		res = inContainer(t, ctr, runOpts{}, "mfconform", "version")
		if !strings.Contains(res.stdout, "(embedded, sha256 verified)") {
			t.Errorf("mfconform version in the image:\n%s%s", res.stdout, res.stderr)
		}
	})

	t.Run("Chromium starts without --no-sandbox", func(t *testing.T) {
		// When mfconform stops passing --no-sandbox for non-root users,
		// the image's wrapper must still start Chromium here.
		res := inContainer(t, ctr, runOpts{}, "mfconform-chromium", "--headless", "--disable-gpu", "--no-first-run",
			"--disable-background-networking", "--user-data-dir=/tmp/p", "--dump-dom", "data:text/html,<p>started-ok</p>")
		if !strings.Contains(res.stdout, "started-ok") {
			t.Errorf("Chromium did not start (exit %d):\n%s", res.code, res.stderr)
		}
		ns := inContainer(t, ctr, runOpts{}, "sh", "-c",
			"unshare --user --map-root-user --pid --net --fork true 2>/dev/null && echo allowed: sandbox on || echo refused: --no-sandbox added")
		t.Logf("user namespaces in this container: %s", strings.TrimSpace(ns.stdout))
	})

	// The default command (ENTRYPOINT + CMD) with the reports folder
	// mounted, as `docker run --rm -v "$PWD/reports:/reports" -e AUTH_SECRET_KEY IMAGE`.
	t.Run("default command", func(t *testing.T) {
		reports := writableDir(t)
		res := inContainer(t, ctr, runOpts{mounts: []string{reports + ":/reports"}, env: []string{"AUTH_SECRET_KEY=" + knownSecret}},
			append(slices.Clone(cfg.Entrypoint), cfg.Cmd...)...)
		t.Logf("the default job ran in %s", res.took.Round(time.Millisecond))
		checkRun(t, res, reports, imageUID)
	})

	// A deployment by URL: the reference deployment served by the same
	// binary on the host, reached by name with --resolve and trusted with
	// --ca-file (which needs certutil in the image).
	t.Run("a deployment by URL with a private CA", func(t *testing.T) {
		st := serveReference(t, filepath.Join(root, ".cache", "image", "context", "bin", "linux_"+runtime.GOARCH, "mfconform"))
		reports := writableDir(t)
		res := inContainer(t, ctr, runOpts{
			mounts: []string{reports + ":/reports", filepath.Dir(st.caFile) + ":/ca:ro"},
			env:    []string{"AUTH_SECRET_KEY=" + knownSecret},
		}, "mfconform", "run", "--login-url", st.loginURL, "--app-url", st.appURL,
			"--ca-file", "/ca/"+filepath.Base(st.caFile), "--resolve", "*.staging.test=127.0.0.1")
		checkRun(t, res, reports, imageUID)
		if !strings.Contains(res.stdout, "login.staging.test") {
			t.Errorf("the run did not check the deployment by URL:\n%s", res.stdout)
		}
	})

	// OpenShift and friends run images as an arbitrary uid.
	t.Run("an arbitrary uid", func(t *testing.T) {
		reports := writableDir(t)
		res := inContainer(t, ctr, runOpts{user: "4242:0", mounts: []string{reports + ":/reports"}}, "mfconform", "run", "--mode", "jwt")
		checkRun(t, res, reports, 4242)
	})
}

// imageConfig is the part of the OCI image configuration the test checks.
type imageConfig struct {
	User       string
	Entrypoint []string
	Cmd        []string
	Env        []string
	WorkingDir string
	Labels     map[string]string
}

func inspectImage(t *testing.T) imageConfig {
	t.Helper()
	res := run(t, time.Minute, "", nil, "buildah", "inspect", "--type", "image", imageTag)
	var doc struct {
		OCIv1 struct{ Config imageConfig } `json:"OCIv1"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("buildah inspect: %v\n%s", err, res.stderr)
	}
	size := run(t, time.Minute, "", nil, "buildah", "images", "--format", "{{.Size}}", imageTag)
	t.Logf("image %s: %s", imageTag, strings.TrimSpace(size.stdout))
	return doc.OCIv1.Config
}

// runOpts are buildah run's options for one command.
type runOpts struct {
	user   string
	mounts []string // HOST:CONTAINER[:ro]
	env    []string // NAME=VALUE
}

// inContainer runs args in the working container ctr, as the image's user
// unless o.user says otherwise, on the host's network.
func inContainer(t *testing.T, ctr string, o runOpts, args ...string) result {
	t.Helper()
	cmd := []string{"run", "--isolation", "chroot", "--network", "host"}
	if o.user != "" {
		cmd = append(cmd, "--user", o.user)
	}
	for _, m := range o.mounts {
		cmd = append(cmd, "-v", m)
	}
	for _, e := range o.env {
		cmd = append(cmd, "-e", e)
	}
	cmd = append(append(cmd, ctr, "--"), args...)
	return run(t, 5*time.Minute, "", nil, "buildah", cmd...)
}

// writableDir is a host folder the container's users may write to: like
// /tmp, writable by every user with the sticky bit set, which mfconform
// accepts as a report folder (reports.CheckFolder refuses one every user
// may write to without it).
func writableDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	if err := os.Chmod(d, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	return d
}

// checkRun fails unless the run exited 0, wrote the four reports into the
// mounted folder as uid, and never showed the secret.
func checkRun(t *testing.T, res result, reports string, uid int) {
	t.Helper()
	if res.code != 0 {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	checkReports(t, reports)
	for _, f := range reportFiles {
		if fi, err := os.Stat(filepath.Join(reports, f)); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != uid {
				t.Errorf("%s is owned by uid %d, want %d (the user in the container)", f, st.Uid, uid)
			}
		}
	}
	if strings.Contains(res.stdout+res.stderr, knownSecret) {
		t.Error("the run's output shows AUTH_SECRET_KEY")
	}
}

// staging is a reference deployment served by name, as a customer's is.
type staging struct{ loginURL, appURL, caFile string }

// serveReference starts `mfconform serve-reference` on the host, signing
// with the known key (opted in with --secret-from-env: by default it makes
// its own), and reads where it listens from its env file.
func serveReference(t *testing.T, bin string) staging {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	envFile, caFile := filepath.Join(dir, "staging.env"), filepath.Join(dir, "ca.pem")
	cmd := exec.Command(bin, "serve-reference", "--mode", "jwt", "--secret-from-env",
		"--login-host", "login.staging.test", "--app-host", "app.staging.test", "--embed-host", "embed.partner.test",
		"--env-out", envFile, "--ca-out", caFile)
	cmd.Env = baseEnv(t, "AUTH_SECRET_KEY="+knownSecret)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	up := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "is up") {
				select {
				case up <- true:
				default:
				}
			}
		}
	}()
	select {
	case <-up:
	case <-time.After(30 * time.Second):
		t.Fatal("serve-reference did not come up")
	}
	b, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok {
			vars[k] = strings.Trim(v, "'")
		}
	}
	if err := os.Chmod(caFile, 0o644); err != nil {
		t.Fatal(err)
	}
	return staging{loginURL: vars["MFCONFORM_LOGIN_URL"], appURL: vars["MFCONFORM_APP_URL"], caFile: caFile}
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
