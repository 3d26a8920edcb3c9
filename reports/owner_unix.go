//go:build unix

package reports

import (
	"io/fs"
	"syscall"
)

// owner returns the uid owning the file st describes.
func owner(st fs.FileInfo) (uint32, bool) {
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return s.Uid, true
}
