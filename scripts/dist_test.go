package scripts

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	specs "github.com/mfconform/mfconform/suites/result"
)

// TestReleaseArchive builds this platform's release archive with
// scripts/dist.sh, unpacks it into an empty folder outside the checkout and
// runs the default job from there, in yet another working directory.
func TestReleaseArchive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a release binary: skipped with -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the default job needs Linux's Chromium here")
	}
	root := repoRoot(t)
	if res := run(t, time.Minute, root, nil, "./scripts/bundles.sh", "embed"); res.code != 0 {
		t.Fatalf("scripts/bundles.sh embed: exit %d\n%s", res.code, res.stderr)
	}
	dist := t.TempDir()
	res := run(t, 15*time.Minute, root, append(os.Environ(),
		"DIST_DIR="+dist, "DIST_TARGETS=linux/"+runtime.GOARCH, "VERSION=v0.0.0-shiptest", "COMMIT=0123abc"),
		"./scripts/dist.sh")
	if res.code != 0 {
		t.Fatalf("scripts/dist.sh: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	name := "mfconform_0.0.0-shiptest_linux_" + runtime.GOARCH + ".tar.gz"
	archive := filepath.Join(dist, name)
	fi, err := os.Stat(archive)
	if err != nil {
		t.Fatalf("dist.sh made no %s: %v\n%s", name, err, res.stdout)
	}
	t.Logf("dist.sh took %s; %s is %.1f MB", res.took.Round(time.Second), name, float64(fi.Size())/1e6)

	t.Run("SHA256SUMS lists the archive", func(t *testing.T) {
		sums := readSums(t, filepath.Join(dist, "SHA256SUMS"))
		data, err := os.ReadFile(archive)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if got, want := sums[name], hex.EncodeToString(sum[:]); got != want {
			t.Errorf("SHA256SUMS says %s = %q, want %q", name, got, want)
		}
	})

	// Unpack outside the checkout: nothing of it may be found from there.
	dir, err := os.MkdirTemp("/tmp", "mfconform-archive-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if strings.HasPrefix(dir, root+string(filepath.Separator)) {
		t.Fatalf("%s is inside the checkout %s", dir, root)
	}
	entries := untarGz(t, archive, dir)
	if want := archiveFiles(t, root); !slices.Equal(entries, want) {
		t.Fatalf("archive files = %v, want %v", entries, want)
	}
	bin := filepath.Join(dir, "mfconform")

	t.Run("the binary is static", func(t *testing.T) {
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("the binary has a dynamic loader (PT_INTERP): want CGO_ENABLED=0")
			}
		}
	})

	t.Run("the documentation's links resolve inside the archive", func(t *testing.T) {
		for _, doc := range entries {
			if !strings.HasSuffix(doc, ".md") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, doc))
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range mdLink.FindAllStringSubmatch(string(b), -1) {
				target, _, _ := strings.Cut(m[1], "#")
				if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				if _, err := os.Stat(filepath.Join(dir, filepath.Dir(doc), target)); err != nil {
					t.Errorf("%s links %s, which the archive lacks", doc, m[1])
				}
			}
		}
	})

	t.Run("version names the embedded supabase-js", func(t *testing.T) {
		res := run(t, time.Minute, dir, baseEnv(t), bin, "version")
		for _, want := range []string{"mfconform v0.0.0-shiptest", "commit: 0123abc", "go: go", "supabase-js: 2.", "(embedded, sha256 verified)"} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("mfconform version does not say %q:\n%s", want, res.stdout)
			}
		}
	})

	t.Run("default job from another working directory", func(t *testing.T) {
		wd := t.TempDir()
		res := run(t, 3*time.Minute, wd, baseEnv(t, "AUTH_SECRET_KEY="+knownSecret), bin, "run", "--report-dir", "out")
		if res.code != 0 {
			t.Fatalf("mfconform run: exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
		}
		if !strings.Contains(res.stdout, string(specs.SBBrowser002)) {
			t.Errorf("the run did not check Supabase mode in Chromium:\n%s", res.stdout)
		}
		checkReports(t, filepath.Join(wd, "out"))
		t.Logf("the default job took %s", res.took.Round(time.Millisecond))
	})
}

// readSums parses a SHA256SUMS file: file name to digest.
func readSums(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q: want DIGEST  NAME", sc.Text())
		}
		sums[name] = sum
	}
	return sums
}

// mdLink is a Markdown link's target.
var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// archiveFiles is what a release archive holds, sorted: the binary, README,
// LICENSE, SECURITY.md, CONTRIBUTING.md, and every file of the checkout's
// docs/ and deploy/ (the documentation's links lead there).
func archiveFiles(t *testing.T, root string) []string {
	t.Helper()
	files := []string{"CONTRIBUTING.md", "LICENSE", "README.md", "SECURITY.md", "mfconform"}
	for _, d := range []string{"docs", "deploy"} {
		err := filepath.WalkDir(filepath.Join(root, d), func(path string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			rel, err := filepath.Rel(root, path)
			files = append(files, filepath.ToSlash(rel))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(files)
	return files
}

// untarGz unpacks a .tar.gz of folders and regular files into dir and
// returns the files' names, sorted.
func untarGz(t *testing.T, path, dir string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			slices.Sort(names)
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(h.Name, "/")
		if !filepath.IsLocal(name) || (h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeDir) {
			t.Fatalf("archive entry %q (type %c): want folders and regular files inside the archive", h.Name, h.Typeflag)
		}
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("archive entry %q owned by %d:%d, want 0:0", h.Name, h.Uid, h.Gid)
		}
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		names = append(names, name)
		out, err := os.OpenFile(filepath.Join(dir, h.Name), os.O_CREATE|os.O_WRONLY|os.O_EXCL, os.FileMode(h.Mode).Perm())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, tr); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
