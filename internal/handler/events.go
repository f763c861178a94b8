package handler

import (
	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/schemas"
)

// LinkEventRecord is the record of ev (a link, checker, job or
// conversion event) on topic, keyed by key: its encoding with the version
// set, and the type and workspace headers EventHeaders reads.
func LinkEventRecord(topic, key string, ev schemas.LinkEvent) record.Record {
	return record.Record{Topic: topic, Key: []byte(key), Value: schemas.EncodeLinkEvent(ev), Timestamp: ev.Time.UTC(),
		Headers: []record.Header{{Key: schemas.HeaderEventType, Value: []byte(ev.Type)}, {Key: schemas.HeaderEventWorkspace, Value: []byte(ev.WorkspaceID)}}}
}

// EventHeaders reads the type and workspace headers of a link event
// record (webhook.HeaderEventType, HeaderEventWorkspace); ok is false when
// either is missing, and the record is then decoded to find out.
//
// A record whose headers name a type no endpoint of the workspace
// subscribes to is passed over undecoded: were its body malformed, it is
// not dead-lettered, as nothing would have been delivered from it anyway.
func EventHeaders(r record.Record) (typ, ws string, ok bool) {
	for _, h := range r.Headers {
		switch h.Key {
		case schemas.HeaderEventType:
			typ = string(h.Value)
		case schemas.HeaderEventWorkspace:
			ws = string(h.Value)
		}
	}
	return typ, ws, typ != "" && ws != ""
}

// DefaultShortURL is a click's short URL when the deployment names no
// other: https on its domain.
func DefaultShortURL(c *schemas.EnrichedClick) string { return "https://" + c.Domain + "/" + c.Path }
