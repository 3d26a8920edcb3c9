package reports

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrSymlink is returned when a file's or a folder's path is a symbolic
// link: mfconform never writes through one.
var ErrSymlink = errors.New("is a symbolic link")

// ErrForeign is matched (errors.Is) by the error about a folder or a file
// owned by another user (root excepted), or a folder every user may write
// to without the sticky bit: its owner, or anyone, could swap what
// mfconform writes there, or read it.
var ErrForeign = errors.New("not the operator's own")

// foreignError says whose a folder or file is; it is ErrForeign.
type foreignError struct{ why string }

func (e foreignError) Error() string        { return e.why }
func (e foreignError) Is(target error) bool { return target == ErrForeign }

// notOwn is the error for a file or folder of uid's.
func notOwn(uid uint32) error {
	return foreignError{fmt.Sprintf("is owned by uid %d, not by uid %d who runs mfconform", uid, os.Geteuid())}
}

// WriteFile writes a report file (mode 0644) through writeFile: atomically,
// never through a link, only into a folder of the operator's.
func WriteFile(path string, b []byte) error { return writeFile(path, b, 0o644) }

// WritePrivateFile is WriteFile for a file only the operator may read (mode
// 0600): serve-reference's env file, whose secrets it exports.
func WritePrivateFile(path string, b []byte) error { return writeFile(path, b, 0o600) }

// writeFile is the one way mfconform writes a file the operator named (a
// report, a batch's index, serve-reference's env and CA files). The folder
// is opened once (os.Root, so nothing inside it resolves outside it) and
// must be the operator's (checkFolder); the bytes go to a new file with an
// unpredictable name created with O_EXCL in that folder, which is then
// renamed over the file's name. An existing file at that name that is a
// symbolic link, not a regular file, or another user's is refused rather
// than followed or replaced.
func writeFile(path string, b []byte, perm fs.FileMode) error {
	// Dir, not Split: "out/" with its slash would follow a link named out.
	dir, base := filepath.Dir(path), filepath.Base(path)
	wrap := func(err error) error { return fmt.Errorf("reports: write %s: %w", path, err) }
	root, err := openFolder(dir)
	if err != nil {
		return wrap(err)
	}
	defer root.Close()
	if st, err := root.Lstat(base); err == nil {
		if err := checkFile(st); err != nil {
			return wrap(fmt.Errorf("%w; remove it first", err))
		}
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	tmp := "." + base + "." + hex.EncodeToString(rnd[:]) + ".tmp"
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return wrap(err)
	}
	_, werr := f.Write(b)
	if werr == nil {
		werr = f.Chmod(perm) // the umask does not decide a report's mode
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = root.Rename(tmp, base)
	}
	if werr != nil {
		_ = root.Remove(tmp)
		return wrap(werr)
	}
	return nil
}

// checkFile refuses an existing file mfconform would replace: a link, a
// folder or device, or another user's file.
func checkFile(st fs.FileInfo) error {
	switch {
	case st.Mode()&fs.ModeSymlink != 0:
		return ErrSymlink
	case !st.Mode().IsRegular():
		return errors.New("is not a regular file")
	}
	if uid, ok := owner(st); ok && !trusted(uid) {
		return notOwn(uid)
	}
	return nil
}

// MakeFolder creates dir and its parents (mode 0755) as needed and checks
// that dir is a folder mfconform may write into (CheckFolder).
func MakeFolder(dir string) error {
	if err := CheckFolder(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports: create %s: %w", dir, err)
	}
	return CheckFolder(dir)
}

// CheckFolder refuses a folder mfconform must not write into: a symbolic
// link (a shared or planted folder could send the reports elsewhere),
// something that is not a folder, a folder owned by another user (root
// excepted), or one every user may write to without the sticky bit (as
// /tmp has). A dir that does not exist yet passes: mfconform creates it.
func CheckFolder(dir string) error {
	st, err := os.Lstat(filepath.Clean(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reports: folder %s: %w", dir, err)
	}
	if err := checkFolder(st); err != nil {
		return fmt.Errorf("reports: folder %s %w; choose another folder or remove it", dir, err)
	}
	return nil
}

func checkFolder(st fs.FileInfo) error {
	switch {
	case st.Mode()&fs.ModeSymlink != 0:
		return ErrSymlink
	case !st.IsDir():
		return errors.New("is not a folder")
	}
	if uid, ok := owner(st); ok && !trusted(uid) {
		return notOwn(uid)
	}
	if st.Mode().Perm()&0o002 != 0 && st.Mode()&fs.ModeSticky == 0 {
		return foreignError{"is writable by every user and has no sticky bit"}
	}
	return nil
}

// openFolder opens dir as an os.Root after checking it, and checks that
// what it opened is what it checked (a folder swapped for a link in
// between is refused).
func openFolder(dir string) (*os.Root, error) {
	dir = filepath.Clean(dir)
	lst, err := os.Lstat(dir)
	if err != nil {
		return nil, err
	}
	if err := checkFolder(lst); err != nil {
		return nil, fmt.Errorf("folder %s %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	st, err := root.Stat(".")
	if err == nil && !os.SameFile(lst, st) {
		err = fmt.Errorf("folder %s changed while it was opened", dir)
	}
	if err != nil {
		root.Close()
		return nil, err
	}
	return root, nil
}

// RemoveOwnFile removes path when it is a regular file of the operator's
// (what writeFile left there), and leaves anything else alone: a link or
// another user's file put in its place since.
func RemoveOwnFile(path string) error {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := checkFile(st); err != nil {
		return fmt.Errorf("reports: not removing %s: it %w", path, err)
	}
	return os.Remove(path)
}

// trusted reports whether a file of uid may be written over: the user
// mfconform runs as, or root (who could change anything anyway).
func trusted(uid uint32) bool { return uid == 0 || int64(uid) == int64(os.Geteuid()) }
