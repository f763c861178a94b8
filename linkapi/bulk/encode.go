package bulk

import (
	"encoding/json"

	"github.com/clicktrail/clicktrail/schemas/jsonenc"
)

// Append encoders for the records a bulk job writes per created link (the
// link, its outcome, its item idempotency key, its audit record: the
// first is redirect.Store's, the last audit.AppendJSON). With
// encoding/json (reflection, one allocation per record) they cost a few
// percent of a job's CPU; these write the same bytes as json.Marshal, which
// still decodes them (TestBulkEncodersMatchJSON and FuzzBulkEncoders check
// it byte for byte), from the primitives of schemas/jsonenc (strings
// escaped as encoding/json does, without allocating). A record they do not
// handle on the fast path (an item's error, a time outside RFC 3339) goes
// through json.Marshal instead.

// appendItemRecord appends the JSON of r, as json.Marshal writes it.
func appendItemRecord(b []byte, r *itemRecord) ([]byte, error) {
	if r.Error != nil { // failed items are few: not worth a hand encoder
		v, err := json.Marshal(r)
		return append(b, v...), err
	}
	b = jsonenc.String(append(b, `{"s":`...), r.Status)
	b = jsonenc.OmitEmpty(b, `,"l":`, r.LinkID)
	b = jsonenc.OmitEmpty(b, `,"d":`, r.Domain)
	b = jsonenc.OmitEmpty(b, `,"p":`, r.Path)
	return append(b, '}'), nil
}

// appendKeyRecord appends the JSON of r, as json.Marshal writes it.
func appendKeyRecord(b []byte, r *keyRecord) []byte {
	b = jsonenc.String(append(b, `{"l":`...), r.LinkID)
	b = jsonenc.String(append(b, `,"d":`...), r.Domain)
	b = jsonenc.String(append(b, `,"p":`...), r.Path)
	return append(b, '}')
}
