package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/clicktrail/clicktrail/internal/apijson"
)

// firstError returns the first error of an errors.Join, or err itself: an
// answer names one field.
func firstError(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 0 {
		return j.Unwrap()[0]
	}
	return err
}

const maxBodyBytes = 64 << 10

// decode reads one JSON object, refusing unknown members, or answers 400.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", "", fmt.Sprintf("request body over %d bytes or unreadable", maxBodyBytes))
		return false
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			writeError(w, http.StatusBadRequest, "invalid_field", te.Field, "wrong type: want "+te.Type.String())
			return false
		}
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			writeError(w, http.StatusBadRequest, "unknown_field", strings.Trim(f, `"`), "unknown member")
			return false
		}
		writeError(w, http.StatusBadRequest, "invalid_json", "", "body is not a JSON object: "+err.Error())
		return false
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, "invalid_json", "", "body holds more than one JSON value")
		return false
	}
	return true
}

type apiErrorBody = apijson.ErrorBody

func writeError(w http.ResponseWriter, status int, code, field, msg string) {
	writeJSON(w, status, map[string]apiErrorBody{"error": {Code: code, Field: field, Message: msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) { apijson.Write(w, status, v) }
