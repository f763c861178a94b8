package handler

import (
	"encoding/json"
	"strconv"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/anonip"
)

// HeaderDLQRedacted says what a dead letter of the raw click topic had
// removed before it was kept: "ip" (the address truncated to its /24 or
// /48, or emptied when it was not one) or "value" (the whole value, which
// was not a JSON object and so could not be searched for an address).
const HeaderDLQRedacted = "dlq.redacted"

// redactRawDeadLetter makes a dead letter of clicks.raw.v1 safe to keep for
// the dead-letter topic's 30 days: a raw click is the one record that
// carries a visitor's full address, and the privacy rule is that nothing
// keeps it past enrichment, whether enrichment succeeded or not. The
// address is truncated the way enrich truncates it (package anonip), so a
// dead letter still shows the network it came from; every other field is
// kept for the person who looks at it. A value that is not a JSON object
// cannot be searched for an address and is dropped, with its length in the
// header: it could never be enriched anyway.
func redactRawDeadLetter(r record.Record) record.Record {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(r.Value, &obj); err != nil || obj == nil {
		r.Headers = append(r.Headers, record.Header{Key: HeaderDLQRedacted,
			Value: []byte("value (" + strconv.Itoa(len(r.Value)) + " bytes, not a JSON object)")})
		r.Value = nil
		return r
	}
	if raw, ok := obj["ip"]; ok {
		var ip string
		_ = json.Unmarshal(raw, &ip) // not a string: emptied below
		obj["ip"], _ = json.Marshal(anonip.TruncateHost(ip))
		if v, err := json.Marshal(obj); err == nil {
			r.Value = v
		}
		r.Headers = append(r.Headers, record.Header{Key: HeaderDLQRedacted, Value: []byte("ip")})
	}
	return r
}
