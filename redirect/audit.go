package redirect

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

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

// Audit actions beyond the link lifecycle events (EventLink*).
const (
	AuditKeyCreated       = "key.created"
	AuditKeyRevoked       = "key.revoked"
	AuditDomainAdded      = "domain.added"
	AuditDomainRemoved    = "domain.removed"
	AuditWorkspaceCreated = "workspace.created"
)

// AuditRecord is one change.
type AuditRecord struct {
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

func auditKey(workspace string, at time.Time, id string) []byte {
	k := make([]byte, 0, len(auditPrefix)+len(workspace)+1+8+len(id))
	k = append(k, auditPrefix...)
	k = append(k, workspace...)
	k = append(k, '/')
	k = binary.BigEndian.AppendUint64(k, uint64(at.UnixNano()))
	return append(k, id...)
}

// newAuditRecord is the record of a change made by p at at in workspace,
// with a new id.
func newAuditRecord(p *Principal, at time.Time, workspace, action, targetType, targetID string, changes []string) *AuditRecord {
	return &AuditRecord{ID: newAuditID(), At: at, WorkspaceID: workspace, KeyID: p.KeyID, RemoteAddr: p.RemoteAddr,
		Action: action, TargetType: targetType, TargetID: targetID, Changes: changes}
}

func newAuditID() string { return "aud_" + randomBase62(16) }

// AppendAudit stores rec, giving it an id when it has none.
func (s *Store) AppendAudit(ctx context.Context, rec *AuditRecord) error {
	if rec.ID == "" {
		rec.ID = newAuditID()
	}
	return s.putRecord(ctx, auditKey(rec.WorkspaceID, rec.At, rec.ID), rec)
}

// AuditQuery selects audit records, newest first. Zero fields do not
// filter.
type AuditQuery struct {
	WorkspaceID string // required
	TargetID    string
	KeyID       string
	Action      string
	Since       time.Time // inclusive
	Until       time.Time // exclusive
	Limit       int       // 0 means DefaultListLimit; at most MaxListLimit
	// Cursor is a NextCursor of a previous page.
	Cursor string
}

// QueryAudit returns the records q selects, newest first, and the cursor of
// the next page ("" after the last). It reads at most MaxListScan records
// per call, so a selective filter may answer a short page with a cursor.
func (s *Store) QueryAudit(ctx context.Context, q AuditQuery) ([]*AuditRecord, string, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultListLimit
	}
	limit = min(limit, MaxListLimit)
	prefix := auditPrefix + q.WorkspaceID + "/"
	lower, upper := []byte(prefix), prefixEnd(prefix)
	if !q.Since.IsZero() {
		lower = binary.BigEndian.AppendUint64([]byte(prefix), uint64(q.Since.UnixNano()))
	}
	if !q.Until.IsZero() {
		upper = binary.BigEndian.AppendUint64([]byte(prefix), uint64(q.Until.UnixNano()))
	}
	if q.Cursor != "" {
		c, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		if err != nil || len(c) <= len(prefix) || string(c[:len(prefix)]) != prefix {
			return nil, "", fieldErr("cursor", "not a next_cursor of this workspace's audit log")
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
	var out []*AuditRecord
	scanned := 0
	for it.Last(); it.Valid(); it.Prev() {
		if len(out) == limit || scanned == MaxListScan {
			// The next page ends just after this unread record: upper
			// bounds are exclusive, and key+0x00 is the key's successor.
			next := append(append([]byte(nil), it.Key()...), 0)
			return out, base64.RawURLEncoding.EncodeToString(next), nil
		}
		scanned++
		var rec AuditRecord
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
