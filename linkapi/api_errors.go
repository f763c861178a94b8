package linkapi

import (
	"net/http"

	"github.com/clicktrail/clicktrail/internal/apijson"
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

// APIError is an error answer of the link API: its status and the "error"
// member of its body. Packages that serve routes of the API (linkapi/bulk)
// answer with it through WriteError, so every error has one shape.
type APIError struct {
	status     int
	Code       string `json:"code"`
	Field      string `json:"field,omitempty"`
	Message    string `json:"message"`
	ExistingID string `json:"existing_id,omitempty"` // with path_taken and external_id_taken
	Rule       string `json:"rule,omitempty"`        // with destination_refused, and invalid_field for a URL
}

// errorResponse is the body of every error answer.
type errorResponse struct {
	Error *APIError `json:"error"`
}

// Status is the HTTP status of the answer.
func (e *APIError) Status() int { return e.status }

func (e *APIError) Error() string {
	if e.Field != "" {
		return e.Code + ": field " + e.Field + ": " + e.Message
	}
	return e.Code + ": " + e.Message
}

// NewError is an answer of status with code and message.
func NewError(status int, code, msg string) *APIError {
	return &APIError{status: status, Code: code, Message: msg}
}

// BadRequest is a 400 answer with code, naming field ("" for none).
func BadRequest(code, field, msg string) *APIError {
	return &APIError{status: http.StatusBadRequest, Code: code, Field: field, Message: msg}
}

// urlRefused turns a URL rule's refusal into its 400 answer: invalid_field
// when the URL is malformed (urlrule.Error.Malformed), else policyCode
// (destination_refused for links, invalid_field for callbacks).
func urlRefused(e *urlrule.Error, policyCode string) *APIError {
	code := policyCode
	if e.Malformed() {
		code = CodeInvalidField
	}
	return &APIError{status: http.StatusBadRequest, Code: code, Field: e.Field, Rule: e.Rule, Message: e.Message}
}

// WriteError writes e as the API's JSON error body.
func WriteError(w http.ResponseWriter, e *APIError) {
	WriteJSON(w, e.status, errorResponse{e})
}

// WriteJSON writes v as a JSON answer with status, never cached.
func WriteJSON(w http.ResponseWriter, status int, v any) { apijson.Write(w, status, v) }
