package browser

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// listen serves clients on a new Unix socket at path. Three locks keep
// other users out: the socket's folder must be this user's and closed to
// everyone else (mode 0700, checked here), the socket itself is mode 0600,
// and each peer's credentials (SO_PEERCRED) must show the relay's uid, or
// it is disconnected before it can send anything.
func (r *relay) listen(path string) error {
	if err := checkPrivateDir(filepath.Dir(path), r.uid); err != nil {
		return err
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return fmt.Errorf("relay: listen: %w", err)
	}
	// Closing the listener removes the socket file.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("relay: restrict the socket: %w", err)
	}
	r.mu.Lock()
	if r.closed || r.ln != nil {
		r.mu.Unlock()
		ln.Close()
		return errRelayClosed
	}
	r.ln = ln
	r.mu.Unlock()
	r.wg.Go(func() { r.accept(ln) })
	return nil
}

// accept serves the peers of the relay's user until the listener closes.
func (r *relay) accept(ln *net.UnixListener) {
	for {
		conn, err := ln.AcceptUnix()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Out of file descriptors and the like: try again shortly.
			r.debugf("relay: accept: %v", err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		r.mu.Lock()
		want := r.uid
		r.mu.Unlock()
		uid, pid, err := peerCred(conn)
		if err == nil && uid != want {
			err = fmt.Errorf("uid %d, want %d", uid, want)
		}
		if err != nil {
			r.mu.Lock()
			r.stats.RefusedPeers++
			r.mu.Unlock()
			r.debugf("relay: refused peer pid %d: %v", pid, err)
			conn.Close()
			continue
		}
		if err := r.serve(fmt.Sprintf("pid %d", pid), conn, conn, false, nil); err != nil {
			r.debugf("relay: serve pid %d: %v", pid, err)
		}
	}
}

// checkPrivateDir makes sure dir is a real folder owned by uid that no one
// else may enter, list or write.
func checkPrivateDir(dir string, uid int) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("relay: socket folder: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != uid || fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("relay: socket folder %s must be a folder of uid %d with mode 0700 (it is %v)", dir, uid, fi.Mode())
	}
	return nil
}
