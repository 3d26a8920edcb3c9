package reports

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mfconform/mfconform/suites/diag"
	"github.com/mfconform/mfconform/suites/result"
)

// sampleReport has one spec in every state, across two mode:area suites
// and one spec without labels.
func sampleReport() *result.Report {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := &result.Report{
		SchemaVersion: result.SchemaVersion,
		Tool:          "mfconform",
		Version:       "v0.0.0-test",
		StartedAt:     start,
		FinishedAt:    start.Add(2500 * time.Millisecond),
		Modes:         []string{"jwt"},
		Target: result.Target{
			Description:       "embedded reference deployment",
			Fixture:           "reference",
			LoginURL:          "https://login.acme.test:8443/login",
			AppURL:            "https://app.acme.test:8443/",
			SecretFingerprint: "sha256:ba7816bf",
		},
		Chromium: "Chrome/156.0.8078.108",
		PhasesMS: map[string]float64{"setup": 812.5, "specs": 1500},
		Specs: []result.Spec{
			{
				ID: result.JWTCookie001, Title: "cookie is set", Labels: []string{"mode:jwt", "area:cookie"},
				State: result.StatePassed, JudgeMS: 12.5,
				Evidence: []result.Named{{Name: "set-cookie", Value: "mf_jwt_token=eyJhbGciOiJI…(231 bytes); Path=/"}},
			},
			{
				ID: result.JWTCookie002, Title: "cookie domain", Labels: []string{"mode:jwt", "area:cookie"},
				State: result.StateFailed, JudgeMS: 30,
				Diagnostics: []diag.Diagnostic{
					diag.New(diag.CookieHostOnly, "Domain=.acme.test", "no Domain attribute"),
					diag.New(diag.CookieNotSecure, "Secure", "no Secure attribute"),
					diag.New(diag.CookieThirdPartyBlocked, "information only", "blocked in a cross-site frame").WithSeverity(diag.Info),
				},
			},
			{
				ID: result.JWTCookie003, Title: "cookie size", Labels: []string{"mode:jwt", "area:cookie"},
				State: result.StateFailed, JudgeMS: 5000, Failure: "timed out: waiting for the login page\nmore detail",
			},
			{
				ID: result.JWTToken001, Title: "token lifetime", Labels: []string{"mode:jwt", "area:token"},
				State: result.StateWarned, JudgeMS: 3,
				Diagnostics: []diag.Diagnostic{diag.New(diag.TokenLifetimeLong, "at most 24 h", "30 days")},
			},
			{
				ID: result.JWTToken002, Title: "embed", Labels: []string{"mode:jwt", "area:token"},
				State: result.StateNotJudged, Input: "AUTH_SECRET_KEY", Reason: "AUTH_SECRET_KEY was not given",
			},
			{
				ID: result.JWTToken003, Title: "interrupted one", Labels: []string{"mode:jwt", "area:token"},
				State: result.StateInterrupted, Reason: "interrupted by signal\nsecond line",
			},
			{ID: "MISC-001", Title: "unlabelled", State: result.StatePassed},
		},
	}
	r.Summarize()
	return r
}

func TestWriteAllJSONRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "out")
	want := sampleReport()
	if err := WriteAll(dir, want); err != nil {
		t.Fatalf("WriteAll(%q) error = %v", dir, err)
	}
	got, err := ReadJSON(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatalf("ReadJSON() error = %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadJSON(WriteAll(r)) = %+v\nwant %+v", got, want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("ReadDir(%q) error = %v", dir, err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{JUnitFile, HTMLFile, JSONFile, SARIFFile, MarkdownFile}; !reflect.DeepEqual(names, want) {
		t.Errorf("files in the report directory = %q, want %q (no temporary files left)", names, want)
	}
}

func TestWriteJSONRoundTripEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), JSONFile)
	want := &result.Report{SchemaVersion: result.SchemaVersion, SetupError: "browser: chromium not found"}
	want.Summarize()
	if err := WriteJSON(path, want); err != nil {
		t.Fatalf("WriteJSON() error = %v", err)
	}
	got, err := ReadJSON(path)
	if err != nil {
		t.Fatalf("ReadJSON() error = %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadJSON(WriteJSON(r)) = %+v, want %+v", got, want)
	}
}

func TestReadJSONErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("<html>not json</html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		wantErr string
	}{
		{name: "missing file", path: filepath.Join(dir, "missing.json"), wantErr: "reports: read"},
		{name: "not JSON", path: bad, wantErr: "is not a report.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ReadJSON(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ReadJSON(%q) = %v, %v, want an error containing %q", tt.path, r, err, tt.wantErr)
			}
		})
	}
}

func TestWriteAllUnwritableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteAll(filepath.Join(file, "sub"), sampleReport()); err == nil {
		t.Error("WriteAll(under a regular file) error = nil, want an error")
	}
}

// TestWriteFileRefusesLinks: a report file is never written through a
// symbolic link planted at its path (its target stays untouched), and no
// temporary file is left behind.
func TestWriteFileRefusesLinks(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("untouched"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, JSONFile)); err != nil {
		t.Fatal(err)
	}
	err := WriteAll(dir, sampleReport())
	if !errors.Is(err, ErrSymlink) {
		t.Errorf("WriteAll() with report.json a symlink: %v, want ErrSymlink", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "untouched" {
		t.Errorf("the link's target was written: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// otherUID is a uid no test process runs as: the owner of "another user's"
// files and folders, which only root can create.
const otherUID = 54321

// TestSafeWrites: writeFile (every report, a batch's index, the serve
// command's env and CA files) refuses a folder or file it could be tricked
// through — a link, another user's, a folder everyone may write to — and
// leaves what it refused untouched.
func TestSafeWrites(t *testing.T) {
	type setup func(t *testing.T, dir string) (path string)
	chown := func(t *testing.T, p string) {
		t.Helper()
		if os.Geteuid() != 0 {
			t.Skip("only root can give a file to another user; run as root to cover this case")
		}
		if err := os.Lchown(p, otherUID, otherUID); err != nil {
			t.Fatal(err)
		}
	}
	victim := func(t *testing.T) string {
		v := filepath.Join(t.TempDir(), "victim")
		if err := os.WriteFile(v, []byte("untouched"), 0o600); err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name    string
		setup   setup
		wantErr error // nil: the write succeeds
	}{
		{"a new file in the operator's folder", func(t *testing.T, dir string) string { return filepath.Join(dir, "f") }, nil},
		{"the folder is a link", func(t *testing.T, dir string) string {
			link := filepath.Join(dir, "out")
			if err := os.Symlink(filepath.Dir(victim(t)), link); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(link, "victim")
		}, ErrSymlink},
		{"the file is a link", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "f")
			if err := os.Symlink(victim(t), p); err != nil {
				t.Fatal(err)
			}
			return p
		}, ErrSymlink},
		{"the folder is another user's", func(t *testing.T, dir string) string {
			sub := filepath.Join(dir, "theirs")
			if err := os.Mkdir(sub, 0o777); err != nil {
				t.Fatal(err)
			}
			chown(t, sub)
			return filepath.Join(sub, "f")
		}, ErrForeign},
		{"the file is another user's", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "f")
			if err := os.WriteFile(p, []byte("untouched"), 0o666); err != nil {
				t.Fatal(err)
			}
			chown(t, p)
			return p
		}, ErrForeign},
		{"everyone may write the folder", func(t *testing.T, dir string) string {
			if err := os.Chmod(dir, 0o777); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(dir, "f")
		}, ErrForeign},
		{"everyone may write the folder, sticky like /tmp", func(t *testing.T, dir string) string {
			if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(dir, "f")
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(t, dir)
			before, _ := os.ReadFile(path)
			err := WritePrivateFile(path, []byte("secret"))
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("WritePrivateFile: %v", err)
				}
				st, err := os.Lstat(path)
				if err != nil || st.Mode().Perm() != 0o600 || !st.Mode().IsRegular() {
					t.Errorf("written file: %v %v, want a regular file of mode 0600", st.Mode(), err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("WritePrivateFile = %v, want %v", err, tt.wantErr)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Errorf("the refused path was written: %q", after)
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".tmp") {
					t.Errorf("temporary file left behind: %s", e.Name())
				}
			}
		})
	}
}

// TestMakeFolderRefusesForeignFolders: the report folder itself (and a
// batch target's folder) is never a link or another user's; WriteAll
// writes nothing there.
func TestMakeFolderRefusesForeignFolders(t *testing.T) {
	elsewhere := t.TempDir()
	link := filepath.Join(t.TempDir(), "out")
	if err := os.Symlink(elsewhere, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteAll(link, sampleReport()); !errors.Is(err, ErrSymlink) {
		t.Errorf("WriteAll(a link to a folder) = %v, want ErrSymlink", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) > 0 {
		t.Errorf("the link's folder was written: %v", entries)
	}
	if os.Geteuid() != 0 {
		t.Skip("only root can give a folder to another user")
	}
	theirs := filepath.Join(t.TempDir(), "theirs")
	if err := os.Mkdir(theirs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(theirs, otherUID, otherUID); err != nil {
		t.Fatal(err)
	}
	if err := WriteAll(theirs, sampleReport()); !errors.Is(err, ErrForeign) {
		t.Errorf("WriteAll(another user's folder) = %v, want ErrForeign", err)
	}
}

// TestRemoveOwnFile removes the operator's file and leaves a link or
// another user's file in its place alone.
func TestRemoveOwnFile(t *testing.T) {
	dir := t.TempDir()
	own := filepath.Join(dir, "own")
	if err := WritePrivateFile(own, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := RemoveOwnFile(own); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(own); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("own file still there: %v", err)
	}
	if err := RemoveOwnFile(own); err != nil {
		t.Errorf("RemoveOwnFile(gone) = %v, want nil", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(own, link); err != nil {
		t.Fatal(err)
	}
	if err := RemoveOwnFile(link); !errors.Is(err, ErrSymlink) {
		t.Errorf("RemoveOwnFile(a link) = %v, want ErrSymlink", err)
	}
	if _, err := os.Lstat(link); err != nil {
		t.Errorf("the link was removed: %v", err)
	}
}
