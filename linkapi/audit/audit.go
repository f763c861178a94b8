package audit

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/clicktrail/clicktrail/internal/base62"
	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/schemas/jsonenc"
	"github.com/cockroachdb/pebble/v2"
)

// The audit log: who (which API key) changed what, when, from which
// address. One record per change, appended synced right after the change
// itself is durable (a crash in between loses the record, never the
// change). Records are kept until deleted by hand: they are small, and an
// audit trail that expires is not one.
//
// Key: "au/<workspace>/" + 8-byte big-endian unix nanoseconds + the record
// id, so a workspace's records are contiguous and in time order.

const auditPrefix = "au/"

// Log is the audit log in the link store's pebble database. It is safe
// for concurrent use.
type Log struct{ db *pebble.DB }

// NewLog returns the audit log kept beside links.
func NewLog(links *redirect.Store) *Log { return &Log{db: links.DB()} }

// Actions beyond the link lifecycle events (linkapi.EventLink*).
const (
	KeyCreated       = "key.created"
	KeyRevoked       = "key.revoked"
	DomainAdded      = "domain.added"
	DomainRemoved    = "domain.removed"
	WorkspaceCreated = "workspace.created"
)

// Record is one change.
type Record struct {
	ID          string    `json:"id"` // "aud_" + 16 base62
	At          time.Time `json:"at"`
	WorkspaceID string    `json:"workspace_id"`
	KeyID       string    `json:"key_id"`
	RemoteAddr  string    `json:"remote_addr,omitempty"`
	Action      string    `json:"action"`      // link.created, key.revoked, ...
	TargetType  string    `json:"target_type"` // link, key, domain, workspace
	TargetID    string    `json:"target_id"`
	// Changes names the fields a link.updated changed.
	Changes []string `json:"changes,omitempty"`
}

// Key is the key of the record of workspace made at at with id.
func Key(workspace string, at time.Time, id string) []byte {
	k := make([]byte, 0, len(auditPrefix)+len(workspace)+1+8+len(id))
	k = append(k, auditPrefix...)
	k = append(k, workspace...)
	k = append(k, '/')
	k = binary.BigEndian.AppendUint64(k, uint64(at.UnixNano()))
	return append(k, id...)
}

// NewID returns a new random record id.
func NewID() string { return "aud_" + base62.Random(16) }

// Append stores rec, giving it an id when it has none.
func (s *Log) Append(ctx context.Context, rec *Record) error {
	if rec.ID == "" {
		rec.ID = NewID()
	}
	return pebblekv.PutJSON(ctx, s.db, Key(rec.WorkspaceID, rec.At, rec.ID), rec)
}

// Query selects audit records, newest first. Zero fields do not
// filter.
type Query struct {
	WorkspaceID string // required
	TargetID    string
	KeyID       string
	Action      string
	Since       time.Time // inclusive
	Until       time.Time // exclusive
	Limit       int       // 0 means redirect.DefaultListLimit; at most redirect.MaxListLimit
	// Cursor is a NextCursor of a previous page.
	Cursor string
}

// Query returns the records q selects, newest first, and the cursor of
// the next page ("" after the last). It reads at most redirect.MaxListScan records
// per call, so a selective filter may answer a short page with a cursor.
func (s *Log) Query(ctx context.Context, q Query) ([]*Record, string, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = redirect.DefaultListLimit
	}
	limit = min(limit, redirect.MaxListLimit)
	prefix := auditPrefix + q.WorkspaceID + "/"
	lower, upper := []byte(prefix), pebblekv.PrefixEnd([]byte(prefix))
	if !q.Since.IsZero() {
		lower = binary.BigEndian.AppendUint64([]byte(prefix), uint64(q.Since.UnixNano()))
	}
	if !q.Until.IsZero() {
		upper = binary.BigEndian.AppendUint64([]byte(prefix), uint64(q.Until.UnixNano()))
	}
	if q.Cursor != "" {
		c, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		if err != nil || len(c) <= len(prefix) || string(c[:len(prefix)]) != prefix {
			return nil, "", redirect.FieldErrorf("cursor", "not a next_cursor of this workspace's audit log")
		}
		if string(c) < string(upper) {
			upper = c // exclusive: the last record of the previous page
		}
	}
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, "", fmt.Errorf("read audit log: %w", err)
	}
	defer it.Close()
	var out []*Record
	scanned := 0
	for it.Last(); it.Valid(); it.Prev() {
		if len(out) == limit || scanned == redirect.MaxListScan {
			// The next page ends just after this unread record: upper
			// bounds are exclusive, and key+0x00 is the key's successor.
			next := append(append([]byte(nil), it.Key()...), 0)
			return out, base64.RawURLEncoding.EncodeToString(next), nil
		}
		scanned++
		var rec Record
		if err := json.Unmarshal(it.Value(), &rec); err != nil {
			return nil, "", fmt.Errorf("decode audit record %x: %w", it.Key(), err)
		}
		if (q.TargetID == "" || rec.TargetID == q.TargetID) && (q.KeyID == "" || rec.KeyID == q.KeyID) &&
			(q.Action == "" || rec.Action == q.Action) {
			out = append(out, &rec)
		}
	}
	if err := it.Error(); err != nil {
		return nil, "", fmt.Errorf("read audit log: %w", err)
	}
	return out, "", nil
}

// AppendJSON appends the JSON of r, as json.Marshal writes it, without
// reflection for the records of a bulk job (TestBulkEncodersMatchJSON in
// linkapi/bulk checks it byte for byte).
func AppendJSON(b []byte, r *Record) ([]byte, error) {
	if len(r.Changes) > 0 || !jsonenc.TimeOK(r.At) {
		v, err := json.Marshal(r)
		return append(b, v...), err
	}
	b = jsonenc.String(append(b, `{"id":`...), r.ID)
	b = jsonenc.Time(append(b, `,"at":`...), r.At)
	b = jsonenc.String(append(b, `,"workspace_id":`...), r.WorkspaceID)
	b = jsonenc.String(append(b, `,"key_id":`...), r.KeyID)
	b = jsonenc.OmitEmpty(b, `,"remote_addr":`, r.RemoteAddr)
	b = jsonenc.String(append(b, `,"action":`...), r.Action)
	b = jsonenc.String(append(b, `,"target_type":`...), r.TargetType)
	b = jsonenc.String(append(b, `,"target_id":`...), r.TargetID)
	return append(b, '}'), nil
}
