package bulk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/idempotency"
)

// bulkRequest is the body of POST /v1/links/bulk.
type bulkRequest struct {
	// Items are bodies of POST /v1/links, each with an optional
	// "idempotency_key": an item whose key the workspace already used (in
	// any job) creates nothing and reports the link the key created.
	Items []json.RawMessage `json:"items"`
	// CallbackURL is called (POST, Standard Webhooks-signed with the
	// callback_secret of the 202 answer) when the job finishes.
	CallbackURL string `json:"callback_url,omitempty"`
	// OnConflict is the default on_conflict of the items ("error" or
	// "suffix").
	OnConflict string `json:"on_conflict,omitempty"`
}

// readBulkBody reads a body of at most MaxBulkBodyBytes.
func readBulkBody(w http.ResponseWriter, r *http.Request) ([]byte, *linkapi.APIError) {
	body, aerr := linkapi.ReadBodyLimit(w, r, MaxBulkBodyBytes)
	if aerr != nil && aerr.Code == linkapi.CodeBodyTooLarge {
		aerr.Message = fmt.Sprintf("a bulk request body is at most %d bytes; split the items over several jobs", MaxBulkBodyBytes)
	}
	return body, aerr
}

// decodeBulk decodes and checks a bulk body as a whole. The items are
// only split here: each is decoded and checked by the runner, and a bad
// one fails alone.
func decodeBulk(body []byte) (*bulkRequest, *linkapi.APIError) {
	req, ok := scanBulk(body)
	if !ok {
		req = new(bulkRequest)
		if aerr := linkapi.DecodeStrict(body, req); aerr != nil {
			return nil, aerr
		}
	}
	switch {
	case len(req.Items) == 0:
		return nil, linkapi.BadRequest(linkapi.CodeInvalidField, "items", "want an array of 1 to "+strconv.Itoa(MaxBulkItems)+" link bodies")
	case len(req.Items) > MaxBulkItems:
		return nil, linkapi.BadRequest(linkapi.CodeInvalidField, "items", fmt.Sprintf("%d items; a job takes at most %d: split them over several jobs", len(req.Items), MaxBulkItems))
	}
	switch req.OnConflict {
	case "", linkapi.OnConflictError, linkapi.OnConflictSuffix:
	default:
		return nil, linkapi.BadRequest(linkapi.CodeInvalidField, "on_conflict", `want "error" or "suffix"`)
	}
	return req, nil
}

// idempotencyKeyMember is the item member that splitItemKey takes out.
var idempotencyKeyMember = []byte(`"idempotency_key"`)

// splitItemKeyDecoder is splitItemKey done with a json.Decoder, token by
// token: the reference the scanner of splitItemKey (itemkey.go) must
// agree with, and what it falls back to on anything it does not expect.
// The member is cut out of the bytes (rather than decoding into a map and
// encoding again, which costs more and reorders members).
func splitItemKeyDecoder(item []byte) ([]byte, string, *linkapi.APIError) {
	dec := json.NewDecoder(bytes.NewReader(item))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return item, "", nil
	}
	for first := true; dec.More(); first = false {
		start := dec.InputOffset() // just after '{' or the previous value
		t, err := dec.Token()
		if err != nil {
			return item, "", nil // malformed: the create path names the problem
		}
		name, _ := t.(string)
		if name != "idempotency_key" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return item, "", nil
			}
			continue
		}
		var key string
		if err := dec.Decode(&key); err != nil {
			return nil, "", errItemKeyType()
		}
		if !idempotency.ValidKey(key) {
			return nil, "", errItemKeyValue()
		}
		end := int(dec.InputOffset())
		rest := make([]byte, 0, len(item))
		rest = append(rest, item[:start]...)
		tail := item[end:]
		if first { // "{key, next}": drop the comma after it instead
			if t := bytes.TrimLeft(tail, " \t\r\n"); len(t) > 0 && t[0] == ',' {
				tail = t[1:]
			}
		}
		return append(rest, tail...), key, nil
	}
	return item, "", nil
}
