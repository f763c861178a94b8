package redirect

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// TestBulkEncodersMatchJSON checks the append encoders of bulk records
// against json.Marshal, byte for byte.
func TestBulkEncodersMatchJSON(t *testing.T) {
	at := time.Date(2026, 11, 23, 17, 4, 5, 123456000, time.UTC)
	for _, tc := range []struct {
		name string
		item itemRecord
		key  keyRecord
		aud  AuditRecord
	}{
		{name: "created",
			item: itemRecord{Status: ItemCreated, LinkID: "lnk_0123456789abcdefghijkl", Domain: "go.example", Path: "b-1"},
			key:  keyRecord{LinkID: "lnk_0123456789abcdefghijkl", Domain: "go.example", Path: "b-1"},
			aud: AuditRecord{ID: "aud_0123456789abcdef", At: at, WorkspaceID: "ws_1", KeyID: "key_1", RemoteAddr: "127.0.0.1",
				Action: EventLinkCreated, TargetType: "link", TargetID: "lnk_0123456789abcdefghijkl"}},
		{name: "empty",
			item: itemRecord{}, key: keyRecord{}, aud: AuditRecord{}},
		{name: "failed item, changes, zone",
			item: itemRecord{Status: ItemFailed, Error: &JobItemError{Code: "path_taken", Field: "items[3].path", Message: "taken", ExistingID: "lnk_x"}},
			key:  keyRecord{LinkID: "l", Domain: "d", Path: "ä/<&>"},
			aud: AuditRecord{ID: "a", At: at.In(time.FixedZone("x", 5*3600+1800)), Action: EventLinkUpdated,
				Changes: []string{"tags"}}},
		{name: "escapes and odd times",
			item: itemRecord{Status: "s\"\\", Path: "p\u2028\x7f\xff"},
			key:  keyRecord{Path: "tab\tnl\n"},
			aud:  AuditRecord{ID: "a<b>", At: time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{name: "time without fraction",
			aud: AuditRecord{ID: "a", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("m", -3600))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkBulkEncoders(t, &tc.item, &tc.key, &tc.aud)
		})
	}
}

func checkBulkEncoders(t *testing.T, item *itemRecord, key *keyRecord, aud *AuditRecord) {
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
	got, err := appendAuditRecord([]byte("prefix"), aud)
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
			&AuditRecord{ID: id, At: at, WorkspaceID: domain, KeyID: path, RemoteAddr: status, Action: status, TargetType: path, TargetID: id})
	})
}

func BenchmarkBulkRecordEncoders(b *testing.B) {
	item := &itemRecord{Status: ItemCreated, LinkID: "lnk_0123456789abcdefghijkl", Domain: "go.example", Path: "bmk2x9-123456"}
	aud := &AuditRecord{ID: "aud_0123456789abcdef", At: time.Now().UTC(), WorkspaceID: "ws_default", KeyID: "key_1",
		RemoteAddr: "127.0.0.1", Action: EventLinkCreated, TargetType: "link", TargetID: item.LinkID}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf, _ = appendItemRecord(buf[:0], item)
		buf = appendKeyRecord(buf[:0], &keyRecord{LinkID: item.LinkID, Domain: item.Domain, Path: item.Path})
		buf, _ = appendAuditRecord(buf[:0], aud)
	}
}

// TestEncodeLinkFast checks encodeLinkFast against encodeLink, byte for
// byte, on links that take the fast path and on links that do not.
func TestEncodeLinkFast(t *testing.T) {
	at := time.Date(2027, 1, 2, 3, 4, 5, 6000, time.FixedZone("x", -7*3600))
	for _, tc := range []struct {
		name   string
		mutate func(*Link)
	}{
		{"test link", func(*Link) {}},
		{"bare", func(l *Link) { l.UTM, l.Tags, l.Metadata = schemas.UTM{}, nil, nil }},
		{"every optional field", func(l *Link) {
			l.Disabled, l.DeletedAt, l.ExternalID, l.ExpiresAt, l.ExpiredURL = true, &at, "sku-1", &at, "https://x.example/gone"
			l.ExpiredRedirect, l.TrackConversions, l.RedirectCode = true, true, 307
			l.UTM = schemas.UTM{Term: "t", Content: "c"}
			l.Metadata = map[string]string{"z": "1", "a": "<2>", "m": "\u2028"}
			l.Tags = []string{"a", "b&c", ""}
		}},
		{"variants", func(l *Link) {
			l.Variants = []Variant{{DestinationURL: "https://a.example/", Weight: 1}}
		}},
		{"rules", func(l *Link) {
			l.Rules = []Rule{{ID: "r1", DestinationURL: "https://m.example/", Devices: []string{"mobile"}}}
		}},
		{"year 10000", func(l *Link) { l.UpdatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := testLink("p/1")
			tc.mutate(l)
			checkEncodeLinkFast(t, l)
		})
	}
}

func checkEncodeLinkFast(t *testing.T, l *Link) {
	t.Helper()
	want, werr := encodeLink(l)
	got, err := encodeLinkFast(l)
	if (err == nil) != (werr == nil) || !bytes.Equal(got, want) {
		t.Fatalf("encodeLinkFast = %q, %v\nencodeLink     = %q, %v", got, err, want, werr)
	}
}

// FuzzEncodeLinkFast checks encodeLinkFast against encodeLink on links
// made of any strings, times and flags.
func FuzzEncodeLinkFast(f *testing.F) {
	f.Add("lnk_x", "go.example", "p/1", "https://a.example/?q=<1>", "email", "tag", "k", "v", int64(1795000000123456789), 3600, 302, uint8(0))
	f.Add("", "", "", "\xff", "", "", "", "", int64(-62135596800000000), -86400, 0, uint8(255))
	f.Fuzz(func(t *testing.T, id, domain, path, dest, medium, tag, mk, mv string, nanos int64, offset, code int, flags uint8) {
		at := time.Unix(0, nanos).In(time.FixedZone("z", offset%(48*3600)))
		l := &Link{ID: id, WorkspaceID: domain, Domain: domain, Path: path, DestinationURL: dest,
			UTM: schemas.UTM{Medium: medium, Source: tag}, CreatedAt: at, UpdatedAt: at.UTC(), RedirectCode: code,
			Disabled: flags&1 != 0, ExpiredRedirect: flags&2 != 0, TrackConversions: flags&4 != 0, ExternalID: mk, ExpiredURL: mv}
		if flags&8 != 0 {
			l.Tags = []string{tag, mk}
		}
		if flags&16 != 0 {
			l.Metadata = map[string]string{mk: mv, tag: medium}
		}
		if flags&32 != 0 {
			l.ExpiresAt = &at
		}
		if flags&64 != 0 {
			l.DeletedAt = &at
		}
		checkEncodeLinkFast(t, l)
	})
}

func BenchmarkEncodeLink(b *testing.B) {
	l := testLink("bench/1")
	for _, bc := range []struct {
		name   string
		encode func(*Link) ([]byte, error)
	}{{"json", encodeLink}, {"fast", encodeLinkFast}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.encode(l); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
