package webhook

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// Golden files of the link event record and the conversion.attributed
// payload, written from the encoders of this package before their types
// move to schemas, whose tests then check the same files.
func TestEnvelopeGoldenBeforeMove(t *testing.T) {
	check := func(path string, got []byte) {
		t.Helper()
		if os.Getenv("REGENERATE_SNAPSHOTS") == "true" {
			if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(want) != string(got)+"\n" {
			t.Fatalf("%s:\n got %s\nwant %s", path, got, want)
		}
	}
	ev := EncodeLinkEvent(LinkEvent{ID: "0193a6f2-7c1e-7b3a-9f00-0000000011ee", Type: EventLinkUpdated,
		Time: time.Date(2026, 11, 23, 13, 0, 0, 500, time.FixedZone("CET", 3600)), WorkspaceID: "ws_1",
		Data: json.RawMessage(`{"id":"lnk_spring","domain":"go.brand.com","path":"spring","tags":["vip"]}`)})
	check("../../schemas/testdata/link_event_v1.json", ev)

	click := &schemas.EnrichedClick{
		V: 1, EventID: "0193a6f2-7c1e-7b3a-9f00-00000000c11c", Type: schemas.ClickTypeQRScan,
		Time: time.Date(2026, 11, 23, 12, 0, 0, 123456000, time.UTC), WorkspaceID: "ws_1", LinkID: "lnk_spring",
		Domain: "go.brand.com", Path: "spring", Destination: "https://example.com/spring?utm_source=newsletter&x=<1>",
		IPPrefix: "203.0.113.0/24", VisitorHash: 18446744073709551557, Country: "DE", DeviceType: "mobile",
		ReferrerHost: "mail.google.com", Bot: true, UTM: schemas.UTM{Source: "newsletter", Medium: "email", Campaign: "spring26"},
		Tags: []string{"vip"}, ContactID: "hs_42", RuleID: "rule_1", Variant: "b",
	}
	msg, err := NewMessage("0193a6f3-0000-7abc-8def-0123456789ab", Payload{Type: EventConversionAttributed,
		Timestamp: time.Date(2026, 11, 23, 12, 5, 0, 0, time.UTC), Data: ConversionData{
			ConversionID: "0193a6f3-0000-7abc-8def-0123456789ab", Name: "purchase", ExternalID: "order-991",
			OccurredAt: time.Date(2026, 11, 23, 12, 5, 0, 0, time.UTC), Amount: 4999, Currency: "EUR",
			Metadata: map[string]string{"plan": "pro"}, ContactID: "hs_42", LinkID: "lnk_spring", Domain: "go.brand.com",
			Tags: []string{"vip"}, Attribution: Attribution{Model: "last_click", MatchedBy: "click_id"},
			Click: ConversionClick{Click: ClickData(click, "https://go.brand.com/spring"), ClickedAt: click.Time, Type: click.Type},
		}})
	if err != nil {
		t.Fatal(err)
	}
	check("../../schemas/testdata/conversion_attributed_v1.json", msg.Body)
}
