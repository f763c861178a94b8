package ingest

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestEntryRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		e    entry
	}{
		{"empty", entry{}},
		{"key and value", entry{Key: []byte("link-1"), Value: []byte(`{"v":1}`), Timestamp: time.Unix(1700000000, 123)}},
		{"headers", entry{Value: []byte("x"), Headers: []Header{{Key: "a", Value: []byte("1")}, {}, {Key: "c", Value: []byte("three")}}}},
		{"large value", entry{Key: []byte("k"), Value: bytes.Repeat([]byte("v"), 70000)}},
		{"negative time", entry{Timestamp: time.Unix(-5, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := appendEntry(nil, &tt.e)
			if len(b) > tt.e.encodedSize() {
				t.Errorf("encoded %d bytes, encodedSize said at most %d", len(b), tt.e.encodedSize())
			}
			got, err := decodeEntry(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			assertEntryEqual(t, got, tt.e)
		})
	}
}

func assertEntryEqual(t *testing.T, got, want entry) {
	t.Helper()
	if !bytes.Equal(got.Key, want.Key) || !bytes.Equal(got.Value, want.Value) {
		t.Errorf("key/value = %q/%q, want %q/%q", got.Key, got.Value, want.Key, want.Value)
	}
	if !got.Timestamp.Equal(want.Timestamp) {
		t.Errorf("timestamp = %v, want %v", got.Timestamp, want.Timestamp)
	}
	if len(got.Headers) != len(want.Headers) {
		t.Fatalf("headers = %v, want %v", got.Headers, want.Headers)
	}
	for i := range got.Headers {
		if got.Headers[i].Key != want.Headers[i].Key || !bytes.Equal(got.Headers[i].Value, want.Headers[i].Value) {
			t.Errorf("header %d = %v, want %v", i, got.Headers[i], want.Headers[i])
		}
	}
}

func TestDecodeEntryErrors(t *testing.T) {
	valid := appendEntry(nil, &entry{Key: []byte("k"), Value: []byte("v"), Headers: []Header{{Key: "h", Value: []byte("x")}}})
	tests := []struct {
		name  string
		in    []byte
		field string
	}{
		{"empty", nil, "field version"},
		{"unknown version", []byte{9}, "field version"},
		{"no timestamp", []byte{entryVersion}, "field timestamp"},
		{"key longer than input", []byte{entryVersion, 0, 10, 'a'}, "field key"},
		{"no value", []byte{entryVersion, 0, 0}, "field value"},
		{"header count too large", []byte{entryVersion, 0, 0, 0, 100, 1, 2}, "field header count"},
		{"truncated header", valid[:len(valid)-1], "field header value"},
		{"trailing bytes", append(append([]byte(nil), valid...), 0), "trailing bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeEntry(tt.in)
			if err == nil {
				t.Fatal("decode succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error %q does not name %q", err, tt.field)
			}
		})
	}
}

// FuzzDecodeEntry checks that decodeEntry never panics and that whatever it
// accepts survives an encode/decode round trip unchanged.
func FuzzDecodeEntry(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{entryVersion, 0, 0, 0, 0})
	f.Add(appendEntry(nil, &entry{Key: []byte("k"), Value: []byte("v"), Timestamp: time.Unix(1, 2)}))
	f.Add(appendEntry(nil, &entry{Headers: []Header{{Key: "a", Value: []byte("b")}, {Key: "c"}}}))
	f.Add([]byte{entryVersion, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeEntry(b)
		if err != nil {
			return
		}
		again, err := decodeEntry(appendEntry(nil, &e))
		if err != nil {
			t.Fatalf("re-decode of an accepted entry: %v", err)
		}
		assertEntryEqual(t, again, e)
	})
}

func BenchmarkEntryEncode(b *testing.B) {
	e := entry{Key: []byte("01JD8R7W9Q"), Value: bytes.Repeat([]byte("x"), 400), Timestamp: time.Now()}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendEntry(buf[:0], &e)
	}
}
