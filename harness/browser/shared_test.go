package browser

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSharedBrowser: a second client attaches through the relay's socket,
// works in its own contexts, and leaves the browser running when it
// closes.
func TestSharedBrowser(t *testing.T) {
	dir, err := os.MkdirTemp("/tmp", "mfs")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sock := filepath.Join(dir, "cdp")
	owner, err := Launch(ctx, Options{Dir: filepath.Join(dir, "c"), ShareSocket: sock})
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	for round := range 2 {
		client, err := Connect(ctx, sock, nil)
		if err != nil {
			t.Fatalf("round %d: Connect() = %v", round, err)
		}
		s, err := client.NewSession(ctx, SessionOptions{})
		if err != nil {
			t.Fatalf("round %d: NewSession() = %v", round, err)
		}
		if v, err := Evaluate[int](ctx, s, "20+22"); err != nil || v != 42 {
			t.Fatalf("round %d: Evaluate() = %d, %v", round, v, err)
		}
		s.Close()
		if err := client.Close(); err != nil {
			t.Errorf("round %d: client Close() = %v", round, err)
		}
	}
	// The owner's browser still works after both clients left.
	s, err := owner.NewSession(ctx, SessionOptions{})
	if err != nil {
		t.Fatalf("the shared browser died with its clients: %v", err)
	}
	s.Close()
	if err := owner.Close(); err != nil {
		t.Errorf("owner Close() = %v", err)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("the socket outlived Close: %v", err)
	}
}
