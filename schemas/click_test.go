package schemas

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func sampleRaw() *RawClick {
	return &RawClick{
		V:              RawClickVersion,
		EventID:        "01936b2e-8c4a-7cde-9f01-23456789abcd",
		Type:           ClickTypeClick,
		Time:           time.Date(2026, 11, 23, 12, 0, 0, 123456789, time.UTC),
		WorkspaceID:    "default",
		LinkID:         "lnk_4fTq9ZbQx2LmN8pR3sVw1y",
		Domain:         "go.brand.com",
		Path:           "spring",
		Destination:    "https://brand.com/sale?utm_source=newsletter",
		IP:             "203.0.113.42",
		UserAgent:      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)",
		Referer:        "https://mail.example.com/inbox",
		AcceptLanguage: "de-DE,de;q=0.9",
		UTM:            UTM{Source: "newsletter", Medium: "email", Campaign: "spring"},
		Tags:           []string{"q4", "email"},
		Metadata:       map[string]string{"contact_id": "hs_1234"},
	}
}

func sampleEnriched() *EnrichedClick {
	return &EnrichedClick{
		V:            EnrichedClickVersion,
		EventID:      "01936b2e-8c4a-7cde-9f01-23456789abcd",
		Type:         ClickTypeQRScan,
		Time:         time.Date(2026, 11, 23, 12, 0, 0, 123456789, time.UTC),
		WorkspaceID:  "default",
		LinkID:       "lnk_4fTq9ZbQx2LmN8pR3sVw1y",
		Domain:       "go.brand.com",
		Path:         "spring",
		Destination:  "https://brand.com/sale?utm_source=newsletter",
		IPPrefix:     "203.0.113.0/24",
		VisitorHash:  0x9e3779b97f4a7c15,
		Country:      "DE",
		Region:       "BE",
		City:         "Berlin",
		DeviceType:   "mobile",
		OS:           "iOS",
		Browser:      "Safari",
		ReferrerHost: "mail.example.com",
		Language:     "de-de",
		UTM:          UTM{Source: "newsletter", Medium: "email", Campaign: "spring"},
		Tags:         []string{"q4", "email"},
		Metadata:     map[string]string{"contact_id": "hs_1234"},
		ContactID:    "hs_1234",
		RuleID:       "rule_ios",
		Variant:      "b",
	}
}

// TestGolden pins the wire format: a diff here is a contract change.
// checkGolden compares got with testdata/name (rewriting it first with
// -update) and returns the file's bytes.
func checkGolden(t *testing.T, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./schemas -update to create it)", err)
	}
	if !bytes.Equal(bytes.TrimSpace(want), got) {
		t.Fatalf("encoding drifted from %s:\n got %s\nwant %s", path, got, want)
	}
	return want
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    interface{ Marshal() ([]byte, error) }
	}{
		{"raw_click_v1.json", sampleRaw()},
		{"enriched_click_v1.json", sampleEnriched()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.v.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.name, got)
		})
	}
}

func TestGoldenDecodes(t *testing.T) {
	b, err := os.ReadFile("testdata/raw_click_v1.json")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := DecodeRawClick(b)
	if err != nil {
		t.Fatal(err)
	}
	if raw.IP != "203.0.113.42" || raw.Metadata["contact_id"] != "hs_1234" || !raw.Time.Equal(sampleRaw().Time) {
		t.Fatalf("decoded %+v", raw)
	}
	b, err = os.ReadFile("testdata/enriched_click_v1.json")
	if err != nil {
		t.Fatal(err)
	}
	en, err := DecodeEnrichedClick(b)
	if err != nil {
		t.Fatal(err)
	}
	if en.VisitorHash != 0x9e3779b97f4a7c15 || en.Type != ClickTypeQRScan || en.ContactID != "hs_1234" {
		t.Fatalf("decoded %+v", en)
	}
}

func TestEnrichedCarriesNoIPField(t *testing.T) {
	b, _ := sampleEnriched().Marshal()
	if bytes.Contains(b, []byte(`"ip"`)) || bytes.Contains(b, []byte("203.0.113.42")) {
		t.Fatalf("enriched click carries an IP: %s", b)
	}
}

func TestDecodeErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		is             error
	}{
		{"not json", `{`, "decode raw click", nil},
		{"wrong version", `{"v":2}`, "v=2", ErrUnsupportedVersion},
		{"missing id", `{"v":1,"type":"click","link_id":"l","ts":"2026-01-01T00:00:00Z"}`, "event_id", nil},
		{"bad type", `{"v":1,"event_id":"01936b2e-8c4a-7cde-9f01-23456789abcd","type":"view","link_id":"l","ts":"2026-01-01T00:00:00Z"}`, "field type", nil},
		{"missing link", `{"v":1,"event_id":"01936b2e-8c4a-7cde-9f01-23456789abcd","type":"click","ts":"2026-01-01T00:00:00Z"}`, "link_id", nil},
		{"missing ts", `{"v":1,"event_id":"01936b2e-8c4a-7cde-9f01-23456789abcd","type":"click","link_id":"l"}`, "field ts", nil},
		{"wrong json type", `{"v":"1"}`, "decode raw click", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeRawClick([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("err = %v, want errors.Is %v", err, tc.is)
			}
		})
	}
}

func FuzzDecodeRawClick(f *testing.F) {
	b, _ := sampleRaw().Marshal()
	f.Add(b)
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := DecodeRawClick(in)
		if err == nil && (c.LinkID == "" || len(c.EventID) != 36) {
			t.Fatalf("accepted an invalid click: %+v", c)
		}
	})
}

func FuzzDecodeEnrichedClick(f *testing.F) {
	b, _ := sampleEnriched().Marshal()
	f.Add(b)
	f.Add([]byte(`{"v":1,"visitor_hash":-1}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := DecodeEnrichedClick(in)
		if err == nil && (c.LinkID == "" || len(c.EventID) != 36) {
			t.Fatalf("accepted an invalid click: %+v", c)
		}
	})
}

func BenchmarkMarshalRaw(b *testing.B) {
	c := sampleRaw()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeEnriched(b *testing.B) {
	in, _ := sampleEnriched().Marshal()
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := DecodeEnrichedClick(in); err != nil {
			b.Fatal(err)
		}
	}
}
