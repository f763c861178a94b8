package httpedge

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"unicode/utf8"
)

// jsonHandler wraps an API's handler: it marks the connection as in a
// handler (see canned.go), refuses headers over the documented limit,
// answers a known path's unserved method with 405, turns a panic into a
// JSON 500, and rewrites non-JSON error answers as JSON.
type jsonHandler struct {
	next http.Handler
	cfg  Config
}

func (h *jsonHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c, ok := r.Context().Value(connKey{}).(*Conn); ok && c.api != nil {
		c.api.handling.Store(true)
	}
	if r.ContentLength != 0 {
		LingerRequest(r) // an API handler may refuse a body before reading it whole
	}
	if n := headBytes(r); n > h.cfg.MaxHeaderBytes {
		w.Header().Set("Connection", "close")
		writeError(w, http.StatusRequestHeaderFieldsTooLarge,
			fmt.Sprintf("the request line and header fields are %d bytes, over the limit of %d", n, h.cfg.MaxHeaderBytes))
		return
	}
	jw := &jsonWriter{ResponseWriter: w}
	defer jw.finish()
	defer h.recoverPanic(jw, r)
	// A known path asked with a method it does not serve: the API's
	// catch-all answers it (after authentication, so a 401 stays a 401)
	// with a 404, which becomes the 405 it is.
	var allow string
	if h.cfg.Routes != nil {
		allow = h.cfg.Routes.Allow(r.URL.Path)
		jw.hold404 = allow != "" && !h.cfg.Routes.Serves(r.URL.Path, r.Method)
	}
	h.next.ServeHTTP(jw, r)
	if jw.hold404 && jw.status == http.StatusNotFound {
		w.Header().Set("Allow", allow)
		jw.replace(http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, allow))
	}
}

// recoverPanic answers a JSON 500 for a handler that panicked before it
// answered; after, only aborting the connection tells the client.
func (h *jsonHandler) recoverPanic(jw *jsonWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	h.cfg.Logger.Error("api handler panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	if jw.wroteHeader && !jw.rewriting {
		panic(http.ErrAbortHandler)
	}
	jw.replace(http.StatusInternalServerError, "the request failed; see the server log")
}

// headBytes is the size of r's request line and header fields, counted
// from the parsed request as the shortest HTTP/1.1 that carries them
// ("Name:value", no optional white space), so never more than the client
// sent: the limit is on content, however it is spaced.
func headBytes(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	if r.Host != "" {
		n += len("Host:") + len(r.Host) + 2
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + 1 + len(v) + 2
		}
	}
	return n + 2
}

// jsonWriter passes a handler's answer through unless it is an error
// (4xx or 5xx) that is neither JSON nor an HTML page: that one it holds, keeping the first
// bytes of its text as the message, and writes as JSON when the handler
// returns (finish).
type jsonWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	rewriting   bool
	hold404     bool   // hold a 404, even JSON: it may become a 405
	text        []byte // the first bytes of a rewritten answer's body
	replaced    string // a message set by replace, over text
}

const maxMessage = 200

func (w *jsonWriter) WriteHeader(status int) {
	if w.wroteHeader || status < 200 && status >= 100 {
		if !w.wroteHeader {
			w.ResponseWriter.WriteHeader(status) // 1xx: informational, more follows
		}
		return
	}
	w.status, w.wroteHeader = status, true
	if status == http.StatusRequestEntityTooLarge {
		// What http.MaxBytesReader does on net/http's own writer, which
		// this one hides from it: close after the answer, as the rest of
		// the body is not read.
		w.Header().Set("Connection", "close")
	}
	if status >= 400 && !passesThrough(w.Header().Get("Content-Type")) || status == http.StatusNotFound && w.hold404 {
		w.rewriting = true
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *jsonWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.rewriting {
		if room := maxMessage - len(w.text); room > 0 {
			w.text = append(w.text, p[:min(room, len(p))]...)
		}
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// Flush passes through unless the answer is being rewritten.
func (w *jsonWriter) Flush() {
	if w.rewriting {
		return
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *jsonWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// replace makes the answer status with message, unless the handler's has
// already gone out.
func (w *jsonWriter) replace(status int, message string) {
	if w.wroteHeader && !w.rewriting {
		return
	}
	w.status, w.wroteHeader, w.rewriting, w.replaced = status, true, true, message
}

func (w *jsonWriter) finish() {
	if !w.rewriting {
		return
	}
	msg := w.replaced
	if msg == "" {
		msg = textMessage(w.text)
	}
	h := w.Header()
	h.Del("X-Content-Type-Options")
	writeError(w.ResponseWriter, w.status, msg)
}

// textMessage is a message from a text error body: its first line,
// trimmed, if it is printable UTF-8.
func textMessage(b []byte) string {
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimSpace(line)
	if !utf8.ValidString(line) || strings.ContainsFunc(line, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return ""
	}
	return line
}
