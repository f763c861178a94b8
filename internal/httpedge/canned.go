package httpedge

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
)

// How net/http's own answers become JSON.
//
// net/http answers some requests before any handler runs: 431 for headers
// over MaxHeaderBytes, 400 for a malformed request line or header field
// (a NUL in a value) or Host, 501 for an unknown transfer coding, 505 for
// an unknown HTTP version (written straight on the connection, text/plain,
// then the connection is closed), and 417 for an Expect other than
// 100-continue (through its response writer, without a body). No
// http.Server option changes these bodies. The alternatives, rejected:
//
//   - Limits arranged so that net/http never refuses first: possible for
//     the header size (a larger MaxHeaderBytes and the documented limit
//     checked in the handler, which JSONErrors also does, for an exact
//     limit and a precise message), impossible for a NUL or a bad Host:
//     the parser refuses those whatever the options.
//   - Parsing requests ourselves in front of net/http (a proxy, or our
//     own HTTP/1 reader): a second parser in front of the real one is how
//     request smuggling happens, and it is far more code to get right.
//   - Recognising the canned texts in every write: they are not unique
//     (a handler may answer "400 Bad Request" text/plain too), and the
//     check would cost every response.
//
// What this does instead: the connection knows whether a handler is
// running. The handler wrapper marks it when it starts; net/http's
// StateIdle hook clears the mark once the response is flushed. net/http
// writes on the connection outside a handler only to answer a request it
// refused, so a write while no handler is marked is exactly one of its own
// answers. That answer's status line is kept and the rest replaced by a
// JSON body; the connection is marked to linger, as net/http closes it
// next. To name the problem where net/http's text does not ("400 Bad
// Request"), the connection keeps the bytes read since it went idle (the
// request line and header fields, bounded) and diagnose reads them.

// apiConn is the state of a JSONErrors connection.
type apiConn struct {
	handling atomic.Bool // a handler started; cleared once its response is flushed (StateIdle)
	mu       sync.Mutex
	head     []byte // bytes read since the connection went idle, up to maxHead
	dirty    bool   // head misses bytes read while the previous handler ran (pipelining)
	nextDirt bool
}

// maxHead bounds what a connection keeps for diagnose: past it, the
// header fields are over any limit and the answer is a 431 anyway.
const maxHead = 64 << 10

func (a *apiConn) read(p []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.handling.Load() {
		a.nextDirt = true // a pipelined request's first bytes, read in the background
		return
	}
	if room := maxHead - len(a.head); room > 0 {
		a.head = append(a.head, p[:min(len(p), room)]...)
	}
}

// idle: the response is flushed; the next bytes start a request.
func (a *apiConn) idle() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.head = a.head[:0]
	a.dirty, a.nextDirt = a.nextDirt, false
	a.handling.Store(false)
}

// Read reads from the connection, keeping request heads on JSONErrors
// listeners.
func (c *Conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if c.api != nil && n > 0 {
		c.api.read(p[:n])
	}
	return n, err
}

// Write writes to the connection; on a JSONErrors listener, a write while
// no handler runs is net/http's own answer and is written as JSON.
func (c *Conn) Write(p []byte) (int, error) {
	if c.api == nil || c.api.handling.Load() {
		return c.Conn.Write(p)
	}
	c.lingering.Store(true) // net/http closes the connection after its own answers
	c.api.mu.Lock()
	head := c.api.head
	if c.api.dirty {
		head = nil
	}
	out := rewriteOwnAnswer(p, head)
	c.api.mu.Unlock()
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// rewriteOwnAnswer turns one of net/http's own answers, p, into the same
// status with a JSON error body; head is the request as read (nil when
// unknown). Anything that is not an error answer (which net/http does not
// write outside handlers) is returned as it is.
func rewriteOwnAnswer(p, head []byte) []byte {
	status, text, ok := parseOwnAnswer(p)
	if !ok || status < 400 || status > 599 {
		return p
	}
	msg := ownMessage(status, text, head)
	body := errorJSON(status, msg)
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %03d %s\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: %d\r\nContent-Type: application/json\r\n\r\n",
		status, http.StatusText(status), len(body))
	b.Write(body)
	return b.Bytes()
}

// parseOwnAnswer reads the status code of a response and, for net/http's
// canned text answers ("...\r\n\r\n431 Request Header Fields Too Large"),
// the text after the status in their body.
func parseOwnAnswer(p []byte) (status int, text string, ok bool) {
	rest, found := bytes.CutPrefix(p, []byte("HTTP/1."))
	if !found || len(rest) < 5 || rest[1] != ' ' {
		return 0, "", false
	}
	status, err := strconv.Atoi(string(rest[2:5]))
	if err != nil || status < 100 || status > 999 || (len(rest) > 5 && rest[5] != ' ' && rest[5] != '\r') {
		return 0, "", false
	}
	if _, body, found := bytes.Cut(rest, []byte("\r\n\r\n")); found {
		// "431 Request Header Fields Too Large", "400 Bad Request: malformed Host header"
		if _, t, found := bytes.Cut(body, []byte(": ")); found && bytes.HasPrefix(body, rest[2:5]) {
			text = string(t)
		} else if !bytes.HasPrefix(body, rest[2:5]) {
			text = string(body) // "Unsupported transfer encoding"
		}
	}
	return status, text, true
}

// ownMessage is the message of one of net/http's own answers: what the
// request did wrong, as precisely as is known.
func ownMessage(status int, text string, head []byte) string {
	switch status {
	case http.StatusRequestHeaderFieldsTooLarge:
		return "the request line and header fields are larger than the server accepts"
	case http.StatusExpectationFailed:
		return "the only Expect the server supports is 100-continue"
	case http.StatusBadRequest:
		if d := diagnose(head); d != "" {
			return d
		}
	}
	if text != "" && len(text) <= 200 {
		return text
	}
	if status == http.StatusBadRequest {
		return "the request is malformed"
	}
	return ""
}
