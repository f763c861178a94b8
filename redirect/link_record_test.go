package redirect

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/clicktrail/clicktrail/schemas"
)

// linkRecordGolden is a links.v1 record with every field set, as nodes
// have always written it (json.Marshal of a Link); schemas pins the same
// bytes for schemas.LinkRecord.
const linkRecordGolden = "../schemas/testdata/link_v1.json"

// goldenLink reads the link of linkRecordGolden into the model, checking
// that it sets every field (so that the golden file pins each one).
func goldenLink(t *testing.T) (*Link, []byte) {
	t.Helper()
	b, err := os.ReadFile(linkRecordGolden)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.TrimSpace(b)
	var l Link
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	v := reflect.ValueOf(l)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("%s leaves %s zero: set it, so that the golden file pins it", linkRecordGolden, v.Type().Field(i).Name)
		}
	}
	return &l, b
}

// TestLinkRecordGolden: the links.v1 record of a link is json.Marshal of
// the Link, byte for byte as before schemas.LinkRecord existed, and
// Record encodes to the same bytes.
func TestLinkRecordGolden(t *testing.T) {
	l, want := goldenLink(t)
	if got, err := json.Marshal(l); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the link model's encoding drifted from %s (%v):\n got %s\nwant %s", linkRecordGolden, err, got, want)
	}
	got, err := l.Record().Marshal()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the record encodes differently from the link (%v):\n got %s\nwant %s", err, got, want)
	}
}

// TestLinkRecordConversions: a link converts to its record and back to
// the same link, for a link with every field set (so a field one
// conversion forgets fails here) and for the zero link.
func TestLinkRecordConversions(t *testing.T) {
	l, want := goldenLink(t)
	dec, err := schemas.DecodeLinkRecord(want)
	if err != nil {
		t.Fatal(err)
	}
	if back := LinkFromRecord(dec); !reflect.DeepEqual(back, l) {
		t.Fatalf("LinkFromRecord(DecodeLinkRecord(golden)) = %+v, want %+v", back, l)
	}
	if back := LinkFromRecord(l.Record()); !reflect.DeepEqual(back, l) {
		t.Fatalf("LinkFromRecord(Record()) = %+v, want %+v", back, l)
	}
	var empty Link // nil slices stay nil (omitempty), and zero stays zero
	if back := LinkFromRecord(empty.Record()); !reflect.DeepEqual(back, &empty) {
		t.Fatalf("the zero link does not survive its record: %+v", back)
	}
}
