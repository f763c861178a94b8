package linkapi

import (
	"encoding/json"
	"net/http"

	"github.com/clicktrail/clicktrail/internal/urlrule"
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
	CodeRateLimited      = "rate_limited"       // 429: see Retry-After and the RateLimit-* headers
	CodeInternal         = "internal"           // 500: see the server log
	CodeMissingScope     = "missing_scope"      // 403: the key lacks the route's scope
	// CodeDomainNotAllowed (400): a link's domain is neither the default
	// domain nor one the workspace registered.
	CodeDomainNotAllowed = "domain_not_allowed"
	// CodeDomainTaken (409): another workspace registered the domain.
	CodeDomainTaken = "domain_taken"
	// CodeExternalIDTaken (409): another link of the workspace has the
	// external_id; existing_id names it.
	CodeExternalIDTaken = "external_id_taken"
	// CodeLinkDeleted (409): the link was deleted and can no longer change.
	CodeLinkDeleted = "link_deleted"
	// CodeIdempotencyKeyReused (422): the Idempotency-Key was first sent
	// with another method, path or body.
	CodeIdempotencyKeyReused = "idempotency_key_reused"
	// CodeIdempotencyKeyInUse (409): a request with the same
	// Idempotency-Key is still running; retry once it has answered.
	CodeIdempotencyKeyInUse = "idempotency_key_in_use"
	// CodeDestinationRefused (400) says a destination is well formed but
	// not allowed; "rule" names the URL rule (Rule*) that refused it. A
	// malformed URL is invalid_field, also with "rule".
	CodeDestinationRefused = "destination_refused"
	// CodeUnavailable (503): the request could not be completed now
	// (a queue is unreachable); retry after Retry-After.
	CodeUnavailable = "unavailable"
)

// apiError is the "error" member of an error body.
type apiError struct {
	status     int
	Code       string `json:"code"`
	Field      string `json:"field,omitempty"`
	Message    string `json:"message"`
	ExistingID string `json:"existing_id,omitempty"` // with path_taken and external_id_taken
	Rule       string `json:"rule,omitempty"`        // with destination_refused, and invalid_field for a URL
}

// errorResponse is the body of every error answer.
type errorResponse struct {
	Error *apiError `json:"error"`
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

// urlRefused turns a URL rule's refusal into its 400 answer: invalid_field
// when the URL is malformed (urlrule.Error.Malformed), else policyCode
// (destination_refused for links, invalid_field for callbacks).
func urlRefused(e *urlrule.Error, policyCode string) *apiError {
	code := policyCode
	if e.Malformed() {
		code = CodeInvalidField
	}
	return &apiError{status: http.StatusBadRequest, Code: code, Field: e.Field, Rule: e.Rule, Message: e.Message}
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, errorResponse{e})
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
