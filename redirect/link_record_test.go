package redirect

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// linkRecordGolden is the links.v1 record of recordSampleLink, as nodes
// have always written it (json.Marshal of a Link); schemas pins the same
// bytes for schemas.LinkRecord.
const linkRecordGolden = "../schemas/testdata/link_v1.json"

// recordSampleLink sets every field of Link, so that a field missing from
// the conversions or the record shows in the golden file.
func recordSampleLink() *Link {
	expires := time.Date(2027, 1, 31, 23, 59, 59, 0, time.UTC)
	deleted := time.Date(2026, 12, 24, 8, 30, 0, 5000, time.FixedZone("CET", 3600))
	return &Link{
		ID:              "lnk_4fTq9ZbQx2LmN8pR3sVw1y",
		WorkspaceID:     "acme",
		Domain:          "go.brand.com",
		Path:            "spring/<sale>&more",
		DestinationURL:  "https://brand.com/sale?id={{contact}}&x=1",
		UTM:             schemas.UTM{Source: "newsletter", Medium: "email", Campaign: "spring", Term: "shoes", Content: "hero"},
		Tags:            []string{"q4", "email"},
		Metadata:        map[string]string{"contact_id": "hs_1234", "a": "\u2028é"},
		CreatedAt:       time.Date(2026, 11, 23, 12, 0, 0, 123456789, time.UTC),
		UpdatedAt:       time.Date(2026, 11, 24, 9, 15, 0, 0, time.UTC),
		Disabled:        true,
		DeletedAt:       &deleted,
		ExternalID:      "crm-991",
		ExpiresAt:       &expires,
		ExpiredURL:      "https://brand.com/over",
		ExpiredRedirect: true,
		RedirectCode:    307,
		Rules: []Rule{{ID: "rule_ios", Devices: []string{"mobile"}, OS: []string{"ios"}, Countries: []string{"DE", "AT"},
			Languages: []string{"de"}, DestinationURL: "myapp://sale"}},
		Variants:         []Variant{{ID: "a", Weight: 3, DestinationURL: "https://brand.com/a"}, {ID: "b", Weight: 1, DestinationURL: "https://brand.com/b"}},
		TrackConversions: true,
	}
}

// TestLinkRecordGolden: the links.v1 record of a link is json.Marshal of
// the Link, byte for byte as before schemas.LinkRecord existed.
func TestLinkRecordGolden(t *testing.T) {
	got, err := json.Marshal(recordSampleLink())
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("REGENERATE_SNAPSHOTS") == "true" {
		if err := os.WriteFile(linkRecordGolden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(linkRecordGolden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(want), got) {
		t.Fatalf("the links.v1 encoding drifted from %s:\n got %s\nwant %s", linkRecordGolden, got, want)
	}
}

// TestLinkRecordConversions: the record of a link encodes to the same
// bytes as the link did, and converts back to the same link, for a link
// with every field set (so a field one conversion forgets fails here).
func TestLinkRecordConversions(t *testing.T) {
	l := recordSampleLink()
	v := reflect.ValueOf(*l)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("recordSampleLink leaves %s zero: set it, so that the golden file pins it", v.Type().Field(i).Name)
		}
	}
	want, _ := json.Marshal(l)
	rec := l.Record()
	got, err := rec.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the record encodes differently from the link:\n got %s\nwant %s", got, want)
	}
	dec, err := schemas.DecodeLinkRecord(got)
	if err != nil {
		t.Fatal(err)
	}
	back := LinkFromRecord(dec)
	if b, _ := json.Marshal(back); !bytes.Equal(b, want) {
		t.Fatalf("the link read back from its record differs:\n got %s\nwant %s", b, want)
	}
	if !reflect.DeepEqual(LinkFromRecord(l.Record()), l) {
		t.Fatalf("LinkFromRecord(Record()) = %+v, want %+v", LinkFromRecord(l.Record()), l)
	}
	var empty Link // nil slices stay nil (omitempty), and zero stays zero
	if !reflect.DeepEqual(LinkFromRecord(empty.Record()), &empty) {
		t.Fatalf("the zero link does not survive its record: %+v", LinkFromRecord(empty.Record()))
	}
}
