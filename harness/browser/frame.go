package browser

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

// frame is one DevTools protocol message as the relay sees it: a command
// (ID and Method), a response (ID and Result or Error) or an event (Method
// without ID), on the browser (no SessionID) or on a session. Params,
// Result and Error stay raw; the relay reads only what routing needs.
type frame struct {
	ID        int64           `json:"id,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     json.RawMessage `json:"error,omitempty"`
}

// encode returns the frame as it goes on a pipe or socket: JSON and one
// NUL byte, the framing of Chromium's --remote-debugging-pipe.
func (f *frame) encode() ([]byte, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("encode %s message: %w", f.Method, err)
	}
	return append(b, 0), nil
}

// errorFrame is the encoded reply to command id refusing it with msg, in
// the shape Chromium uses for its own errors.
func errorFrame(id int64, sessionID, msg string) []byte {
	e, _ := json.Marshal(struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{-32000, msg})
	b, _ := (&frame{ID: id, SessionID: sessionID, Error: e}).encode()
	return b
}

// errFrameTooLarge is returned (wrapped in a *frameTooLargeError) for a
// message longer than the reader allows; the reader skipped it.
var errFrameTooLarge = errors.New("message too large")

// frameTooLargeError tells what little is known of a message that was
// skipped for its size.
type frameTooLargeError struct {
	// Head is the start of the message.
	Head []byte
}

func (e *frameTooLargeError) Error() string {
	return fmt.Sprintf("%v (starts %.40q)", errFrameTooLarge, e.Head)
}

func (e *frameTooLargeError) Unwrap() error { return errFrameTooLarge }

// responseID is the id of a response whose head is known, 0 when the head
// is not a response's.
func (e *frameTooLargeError) responseID() int64 {
	m := responseHead.FindSubmatch(e.Head)
	if m == nil {
		return 0
	}
	id, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return id
}

// responseHead matches the start of a response as Chromium writes it.
var responseHead = regexp.MustCompile(`^\s*\{\s*"id"\s*:\s*(\d+)`)

// frameReader reads NUL-terminated messages of at most max bytes.
type frameReader struct {
	br  *bufio.Reader
	max int
}

func newFrameReader(r io.Reader, max int) *frameReader {
	return &frameReader{br: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next message without its NUL. A message longer than
// max is skipped whole and reported as a *frameTooLargeError, so the
// stream stays in step; blank messages are skipped silently.
func (f *frameReader) next() ([]byte, error) {
	var msg []byte
	for {
		chunk, err := f.br.ReadSlice(0)
		if len(msg)+len(chunk) > f.max+1 {
			head := make([]byte, 0, 128)
			head = append(head, msg[:min(len(msg), 128)]...)
			head = append(head, chunk[:min(len(chunk), 128-len(head))]...)
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = f.br.ReadSlice(0)
			}
			if err != nil {
				return nil, unexpectedEOF(err)
			}
			return nil, &frameTooLargeError{Head: head}
		}
		msg = append(msg, chunk...)
		switch {
		case err == nil:
			msg = msg[:len(msg)-1]
			if len(bytes.TrimSpace(msg)) == 0 {
				msg = msg[:0]
				continue
			}
			return msg, nil
		case errors.Is(err, bufio.ErrBufferFull):
		case len(msg) > 0:
			return nil, unexpectedEOF(err)
		default:
			return nil, err
		}
	}
}

// unexpectedEOF turns the end of the stream inside a message into
// io.ErrUnexpectedEOF.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
