package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Error is a non-2xx answer of the API. Code, Field and Message come from
// the API's error body, {"error":{"code":...,"field":...,"message":...}};
// they are empty when the body was not one (a proxy's page, say), and Body
// holds whatever it was.
type Error struct {
	Method, Path string
	StatusCode   int    // e.g. 404
	Status       string // e.g. "404 Not Found"
	Code         string // e.g. "invalid_field", "path_taken", "missing_scope"
	Field        string // the request member at fault, when there is one
	Message      string
	ExistingID   string // with path_taken and external_id_taken: who holds it
	Rule         string // with destination_refused: the policy rule
	Body         []byte // the answer's body, trimmed
}

// Error reads like "POST /v1/links: 409 Conflict: {...body...}".
func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %s: %s", e.Method, e.Path, e.Status, e.Body)
}

// StatusOf returns the HTTP status of an *Error in err's chain, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// errorBody is the API's error answer.
type errorBody struct {
	Error *struct {
		Code       string `json:"code"`
		Field      string `json:"field"`
		Message    string `json:"message"`
		ExistingID string `json:"existing_id"`
		Rule       string `json:"rule"`
	} `json:"error"`
}

func newError(method, path string, resp *http.Response, body []byte) *Error {
	e := &Error{Method: method, Path: path, StatusCode: resp.StatusCode, Status: resp.Status, Body: bytes.TrimSpace(body)}
	var b errorBody
	if json.Unmarshal(body, &b) == nil && b.Error != nil {
		e.Code, e.Field, e.Message, e.ExistingID, e.Rule = b.Error.Code, b.Error.Field, b.Error.Message, b.Error.ExistingID, b.Error.Rule
	}
	return e
}
