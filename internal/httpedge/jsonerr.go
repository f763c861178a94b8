package httpedge

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// Error codes this package answers with, in the "code" member. They are
// the link API's where it has one for the status (not_found,
// method_not_allowed, body_too_large, internal); the others are new, for
// errors only the server level sees.
const (
	CodeMalformedRequest        = "malformed_request"          // 400
	CodeNotFound                = "not_found"                  // 404
	CodeMethodNotAllowed        = "method_not_allowed"         // 405, with Allow
	CodeBodyTooLarge            = "body_too_large"             // 413
	CodeExpectationFailed       = "expectation_failed"         // 417: an Expect other than 100-continue
	CodeHeadersTooLarge         = "headers_too_large"          // 431: request line and header fields over the limit
	CodeInternal                = "internal"                   // 500: a handler panicked; see the server log
	CodeNotImplemented          = "not_implemented"            // 501: a transfer coding the server does not know
	CodeHTTPVersionNotSupported = "http_version_not_supported" // 505
)

var codes = map[int]string{
	http.StatusBadRequest:                  CodeMalformedRequest,
	http.StatusNotFound:                    CodeNotFound,
	http.StatusMethodNotAllowed:            CodeMethodNotAllowed,
	http.StatusRequestEntityTooLarge:       CodeBodyTooLarge,
	http.StatusExpectationFailed:           CodeExpectationFailed,
	http.StatusRequestHeaderFieldsTooLarge: CodeHeadersTooLarge,
	http.StatusInternalServerError:         CodeInternal,
	http.StatusNotImplemented:              CodeNotImplemented,
	http.StatusHTTPVersionNotSupported:     CodeHTTPVersionNotSupported,
}

// codeFor is the code of an error answer with status: the table's, else
// the status text in snake case ("too_many_requests").
func codeFor(status int) string {
	if c, ok := codes[status]; ok {
		return c
	}
	if t := http.StatusText(status); t != "" {
		return strings.ReplaceAll(strings.ToLower(strings.NewReplacer("-", "", "'", "").Replace(t)), " ", "_")
	}
	return "status_" + strconv.Itoa(status)
}

// errorBody is the link API's error shape (redirect's errorResponse, which
// has more optional members: field, existing_id, rule).
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// errorJSON is the body of an error answer, newline-terminated as the
// API's are.
func errorJSON(status int, message string) []byte {
	if message == "" {
		message = strings.ToLower(http.StatusText(status))
	}
	if message == "" {
		message = "error " + strconv.Itoa(status)
	}
	b, _ := json.Marshal(errorBody{errorDetail{Code: codeFor(status), Message: message}}) // strings always encode
	return append(b, '\n')
}

// writeError answers status with a JSON error body on w.
func writeError(w http.ResponseWriter, status int, message string) {
	b := errorJSON(status, message)
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

// passesThrough reports whether an error answer of this Content-Type is
// left as it is: JSON, and an HTML page that a handler rendered for a
// browser (the analytics dashboard's sign-in form with its error). The
// text that net/http and plain handlers answer is rewritten.
func passesThrough(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return isJSON(contentType) || strings.EqualFold(strings.TrimSpace(mt), "text/html")
}

// isJSON reports whether a Content-Type is JSON (application/json,
// application/problem+json and the like).
func isJSON(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}
