package redirect

import (
	"encoding/json"
	"net/http"
)

// Error codes of the link API, in the "code" member of every error body:
//
//	{"error":{"code":"invalid_field","field":"destination_url","message":"..."}}
const (
	CodeUnauthorized     = "unauthorized"       // 401: missing or unknown API key
	CodeInvalidJSON      = "invalid_json"       // 400: body is not one JSON object
	CodeUnknownField     = "unknown_field"      // 400: a member the API does not know
	CodeInvalidField     = "invalid_field"      // 400: a member with a bad type or value
	CodeBodyTooLarge     = "body_too_large"     // 413: body over 1 MiB
	CodePathTaken        = "path_taken"         // 409: the domain/path is held (existing_id says by whom)
	CodeNotFound         = "not_found"          // 404
	CodeMethodNotAllowed = "method_not_allowed" // 405
	CodeInternal         = "internal"           // 500: see the server log
)

// apiError is the "error" member of an error body.
type apiError struct {
	status     int
	Code       string `json:"code"`
	Field      string `json:"field,omitempty"`
	Message    string `json:"message"`
	ExistingID string `json:"existing_id,omitempty"`
}

func (e *apiError) Error() string {
	if e.Field != "" {
		return e.Code + ": field " + e.Field + ": " + e.Message
	}
	return e.Code + ": " + e.Message
}

func badRequest(code, field, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, Code: code, Field: field, Message: msg}
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, struct {
		Error *apiError `json:"error"`
	}{e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // our own response types always encode
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"encode response"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
