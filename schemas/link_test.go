package schemas

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sampleLinkRecord sets every field; redirect's link_record_test.go builds
// the same link and checks json.Marshal of its model against the same
// golden file.
func sampleLinkRecord() *LinkRecord {
	expires := time.Date(2027, 1, 31, 23, 59, 59, 0, time.UTC)
	deleted := time.Date(2026, 12, 24, 8, 30, 0, 5000, time.FixedZone("CET", 3600))
	return &LinkRecord{
		ID:              "lnk_4fTq9ZbQx2LmN8pR3sVw1y",
		WorkspaceID:     "acme",
		Domain:          "go.brand.com",
		Path:            "spring/<sale>&more",
		DestinationURL:  "https://brand.com/sale?id={{contact}}&x=1",
		UTM:             UTM{Source: "newsletter", Medium: "email", Campaign: "spring", Term: "shoes", Content: "hero"},
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
		Rules: []LinkRule{{ID: "rule_ios", Devices: []string{"mobile"}, OS: []string{"ios"}, Countries: []string{"DE", "AT"},
			Languages: []string{"de"}, DestinationURL: "myapp://sale"}},
		Variants:         []LinkVariant{{ID: "a", Weight: 3, DestinationURL: "https://brand.com/a"}, {ID: "b", Weight: 1, DestinationURL: "https://brand.com/b"}},
		TrackConversions: true,
	}
}

func TestLinkRecordGolden(t *testing.T) {
	got, err := sampleLinkRecord().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := checkGolden(t, "link_v1.json", got)
	l, err := DecodeLinkRecord(want)
	if err != nil {
		t.Fatal(err)
	}
	if !l.DeletedAt.Equal(*sampleLinkRecord().DeletedAt) || !l.CreatedAt.Equal(sampleLinkRecord().CreatedAt) {
		t.Fatalf("decoded times %v %v", l.DeletedAt, l.CreatedAt)
	}
	again, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "link_v1.json", again)
}

// TestLinkRecordSampleSetsEveryField: a field added to LinkRecord must be
// added to the sample, so that the golden file pins it.
func TestLinkRecordSampleSetsEveryField(t *testing.T) {
	v := reflect.ValueOf(*sampleLinkRecord())
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("sampleLinkRecord leaves %s zero", v.Type().Field(i).Name)
		}
	}
}

func TestDecodeLinkRecordNamesTheField(t *testing.T) {
	good, _ := sampleLinkRecord().Marshal()
	for _, tc := range []struct{ name, in, field string }{
		{"no id", strings.Replace(string(good), `"id":"lnk_4fTq9ZbQx2LmN8pR3sVw1y"`, `"id":""`, 1), "id"},
		{"no workspace", strings.Replace(string(good), `"workspace_id":"acme"`, `"workspace_id":""`, 1), "workspace_id"},
		{"no domain", strings.Replace(string(good), `"domain":"go.brand.com"`, `"domain":""`, 1), "domain"},
		{"no path", `{"id":"lnk_x","workspace_id":"w","domain":"d"}`, "path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeLinkRecord([]byte(tc.in))
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("DecodeLinkRecord = %v, want a FieldError on %q", err, tc.field)
			}
		})
	}
	for _, in := range []string{"{", "null", `{"id":1}`, `[]`} {
		if _, err := DecodeLinkRecord([]byte(in)); err == nil || !strings.Contains(err.Error(), "decode link record") {
			t.Errorf("DecodeLinkRecord(%s) = %v, want a decode error", in, err)
		}
	}
}

func FuzzDecodeLinkRecord(f *testing.F) {
	good, _ := sampleLinkRecord().Marshal()
	f.Add(good)
	f.Add([]byte(`{"id":"x"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		l, err := DecodeLinkRecord(in)
		if err != nil {
			return
		}
		if l.ID == "" || l.WorkspaceID == "" || l.Domain == "" || l.Path == "" {
			t.Fatalf("accepted a record without its identity: %+v", l)
		}
		again, err := l.Marshal()
		if err != nil {
			return // a time outside RFC 3339 decodes but does not encode, as before
		}
		if _, err := DecodeLinkRecord(again); err != nil {
			t.Fatalf("a decoded record does not decode again: %v\n%s", err, again)
		}
	})
}
