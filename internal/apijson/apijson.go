// Package apijson writes the answers of clicktrail's HTTP APIs: a JSON body
// that is never cached, and the one error shape every API shares,
// {"error":{"code","field","message","rule"}}. The link API (linkapi), the
// webhook and CRM sinks' endpoint APIs, the stats API and the key client's
// guard all answer through it, so a client sees one error format whichever
// listener it talks to. internal/httpedge writes the same shape for the
// answers net/http makes before any handler runs.
package apijson

import (
	"encoding/json"
	"net/http"
)

// ErrorBody is the member "error" of an error answer.
type ErrorBody struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"` // the JSON name of the bad input, when one is to blame
	Message string `json:"message"`
	Rule    string `json:"rule,omitempty"` // the URL rule (internal/urlrule) that refused a URL
}

// Write writes v as a JSON answer with status, never cached.
func Write(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // our own response types always encode
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"encode response"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// Error writes e as an error answer with status.
func Error(w http.ResponseWriter, status int, e ErrorBody) {
	Write(w, status, struct {
		Error ErrorBody `json:"error"`
	}{e})
}
