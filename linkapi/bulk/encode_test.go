package bulk

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/audit"
)

// TestBulkEncodersMatchJSON checks the append encoders of bulk records
// against json.Marshal, byte for byte.
func TestBulkEncodersMatchJSON(t *testing.T) {
	at := time.Date(2026, 11, 23, 17, 4, 5, 123456000, time.UTC)
	for _, tc := range []struct {
		name string
		item itemRecord
		key  keyRecord
		aud  audit.Record
	}{
		{name: "created",
			item: itemRecord{Status: ItemCreated, LinkID: "lnk_0123456789abcdefghijkl", Domain: "go.example", Path: "b-1"},
			key:  keyRecord{LinkID: "lnk_0123456789abcdefghijkl", Domain: "go.example", Path: "b-1"},
			aud: audit.Record{ID: "aud_0123456789abcdef", At: at, WorkspaceID: "ws_1", KeyID: "key_1", RemoteAddr: "127.0.0.1",
				Action: linkapi.EventLinkCreated, TargetType: "link", TargetID: "lnk_0123456789abcdefghijkl"}},
		{name: "empty",
			item: itemRecord{}, key: keyRecord{}, aud: audit.Record{}},
		{name: "failed item, changes, zone",
			item: itemRecord{Status: ItemFailed, Error: &JobItemError{Code: "path_taken", Field: "items[3].path", Message: "taken", ExistingID: "lnk_x"}},
			key:  keyRecord{LinkID: "l", Domain: "d", Path: "ä/<&>"},
			aud: audit.Record{ID: "a", At: at.In(time.FixedZone("x", 5*3600+1800)), Action: linkapi.EventLinkUpdated,
				Changes: []string{"tags"}}},
		{name: "escapes and odd times",
			item: itemRecord{Status: "s\"\\", Path: "p\u2028\x7f\xff"},
			key:  keyRecord{Path: "tab\tnl\n"},
			aud:  audit.Record{ID: "a<b>", At: time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{name: "time without fraction",
			aud: audit.Record{ID: "a", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("m", -3600))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkBulkEncoders(t, &tc.item, &tc.key, &tc.aud)
		})
	}
}

func checkBulkEncoders(t *testing.T, item *itemRecord, key *keyRecord, aud *audit.Record) {
	t.Helper()
	want, err := json.Marshal(item)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := appendItemRecord(nil, item); err != nil || !bytes.Equal(got, want) {
		t.Errorf("item record = %s, %v; json.Marshal = %s", got, err, want)
	}
	if want, _ = json.Marshal(key); !bytes.Equal(appendKeyRecord(nil, key), want) {
		t.Errorf("key record = %s; json.Marshal = %s", appendKeyRecord(nil, key), want)
	}
	want, werr := json.Marshal(aud)
	got, err := audit.AppendJSON([]byte("prefix"), aud)
	if (err == nil) != (werr == nil) || (err == nil && string(got) != "prefix"+string(want)) {
		t.Errorf("audit record = %s, %v; json.Marshal = %s, %v", got, err, want, werr)
	}
}

// FuzzBulkEncoders checks the append encoders against json.Marshal on any
// strings and times.
func FuzzBulkEncoders(f *testing.F) {
	f.Add("created", "lnk_0123456789abcdefghijkl", "go.example", "b-1", int64(1795000000123456789), 0)
	f.Add("", "\u2028", "<&>", "\xff\x00", int64(-62135596800000000), -3600)
	f.Fuzz(func(t *testing.T, status, id, domain, path string, nanos int64, offset int) {
		at := time.Unix(0, nanos).In(time.FixedZone("z", offset%(48*3600)))
		checkBulkEncoders(t, &itemRecord{Status: status, LinkID: id, Domain: domain, Path: path},
			&keyRecord{LinkID: id, Domain: domain, Path: path},
			&audit.Record{ID: id, At: at, WorkspaceID: domain, KeyID: path, RemoteAddr: status, Action: status, TargetType: path, TargetID: id})
	})
}

func BenchmarkBulkRecordEncoders(b *testing.B) {
	item := &itemRecord{Status: ItemCreated, LinkID: "lnk_0123456789abcdefghijkl", Domain: "go.example", Path: "bmk2x9-123456"}
	aud := &audit.Record{ID: "aud_0123456789abcdef", At: time.Now().UTC(), WorkspaceID: "ws_default", KeyID: "key_1",
		RemoteAddr: "127.0.0.1", Action: linkapi.EventLinkCreated, TargetType: "link", TargetID: item.LinkID}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf, _ = appendItemRecord(buf[:0], item)
		buf = appendKeyRecord(buf[:0], &keyRecord{LinkID: item.LinkID, Domain: item.Domain, Path: item.Path})
		buf, _ = audit.AppendJSON(buf[:0], aud)
	}
}
