package schemas

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func sampleLinkEvent() LinkEvent {
	return LinkEvent{ID: "0193a6f2-7c1e-7b3a-9f00-0000000011ee", Type: EventLinkUpdated,
		Time: time.Date(2026, 11, 23, 13, 0, 0, 500, time.FixedZone("CET", 3600)), WorkspaceID: "ws_1",
		Data: json.RawMessage(`{"id":"lnk_spring","domain":"go.brand.com","path":"spring","tags":["vip"]}`)}
}

// TestLinkEventGolden pins the link.events.v1 record: version set, time in
// UTC, Data as given, the decoded link not encoded.
func TestLinkEventGolden(t *testing.T) {
	want := checkGolden(t, "link_event_v1.json", EncodeLinkEvent(sampleLinkEvent()))
	e, err := DecodeLinkEvent(want)
	if err != nil {
		t.Fatal(err)
	}
	if e.V != LinkEventVersion || !e.Time.Equal(sampleLinkEvent().Time) || e.Link.ID != "lnk_spring" ||
		e.Link.Domain != "go.brand.com" || len(e.Link.Tags) != 1 {
		t.Fatalf("decoded %+v", e)
	}
	checkGolden(t, "link_event_v1.json", EncodeLinkEvent(*e)) // Link is not encoded
}

func TestDecodeLinkEventNamesEveryField(t *testing.T) {
	good := string(EncodeLinkEvent(sampleLinkEvent()))
	for _, tc := range []struct{ name, in, want string }{
		{"version", strings.Replace(good, `"v":1`, `"v":2`, 1), "field v"},
		{"not json", "{", "decode link event"},
		{"id", strings.Replace(good, `0193a6f2-7c1e-7b3a-9f00-0000000011ee`, `x`, 1), "field id"},
		{"type", strings.Replace(good, `link.updated`, `click.created`, 1), "field type"},
		{"timestamp", strings.Replace(good, `"timestamp":"2026-11-23T12:00:00.0000005Z",`, ``, 1), "field timestamp"},
		{"workspace", strings.Replace(good, `"ws_1"`, `""`, 1), "field workspace_id"},
		{"data", strings.Replace(good, `"id":"lnk_spring",`, ``, 1), "field data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := DecodeLinkEvent([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("DecodeLinkEvent = %v, want an error naming %q", err, tc.want)
			}
		})
	}
	// every bad field at once
	_, err := DecodeLinkEvent([]byte(`{"v":1,"data":{}}`))
	for _, f := range []string{"field id", "field type", "field timestamp", "field workspace_id", "field data"} {
		if err == nil || !strings.Contains(err.Error(), f) {
			t.Errorf("DecodeLinkEvent of an empty event = %v, want it to name %s", err, f)
		}
	}
}

func TestDecodeLinkRef(t *testing.T) {
	for _, tc := range []struct {
		name, in, id string
		err          bool
	}{
		{"link", `{"id":"lnk_1","domain":"d","tags":["a"]}`, "lnk_1", false},
		{"checker event", `{"link_id":"lnk_2","id":"ignored"}`, "lnk_2", false},
		{"no id", `{"domain":"d"}`, "", true},
		{"not an object", `[1]`, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := DecodeLinkRef([]byte(tc.in))
			if (err != nil) != tc.err || !tc.err && l.ID != tc.id {
				t.Fatalf("DecodeLinkRef = %+v, %v", l, err)
			}
		})
	}
}

func FuzzDecodeLinkEvent(f *testing.F) {
	f.Add(EncodeLinkEvent(sampleLinkEvent()))
	f.Add([]byte(`{"v":1,"data":null}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		e, err := DecodeLinkEvent(in)
		if err != nil {
			return
		}
		if e.Link.ID == "" || e.WorkspaceID == "" || len(e.ID) != 36 {
			t.Fatalf("accepted an invalid event: %+v", e)
		}
		if _, err := DecodeLinkEvent(EncodeLinkEvent(*e)); err != nil {
			t.Fatalf("a decoded event does not decode again: %v", err)
		}
	})
}

// TestAttributedConversionGolden pins the body of a conversion.attributed
// webhook (the sink encodes WebhookPayload with encoding/json).
func TestAttributedConversionGolden(t *testing.T) {
	click := &EnrichedClick{
		V: 1, EventID: "0193a6f2-7c1e-7b3a-9f00-00000000c11c", Type: ClickTypeQRScan,
		Time: time.Date(2026, 11, 23, 12, 0, 0, 123456000, time.UTC), WorkspaceID: "ws_1", LinkID: "lnk_spring",
		Domain: "go.brand.com", Path: "spring", Destination: "https://example.com/spring?utm_source=newsletter&x=<1>",
		IPPrefix: "203.0.113.0/24", VisitorHash: 18446744073709551557, Country: "DE", DeviceType: "mobile",
		ReferrerHost: "mail.google.com", Bot: true, UTM: UTM{Source: "newsletter", Medium: "email", Campaign: "spring26"},
		Tags: []string{"vip"}, ContactID: "hs_42", RuleID: "rule_1", Variant: "b",
	}
	got, err := json.Marshal(WebhookPayload{Type: EventConversionAttributed,
		Timestamp: time.Date(2026, 11, 23, 12, 5, 0, 0, time.UTC), Data: AttributedConversion{
			ConversionID: "0193a6f3-0000-7abc-8def-0123456789ab", Name: "purchase", ExternalID: "order-991",
			OccurredAt: time.Date(2026, 11, 23, 12, 5, 0, 0, time.UTC), Amount: 4999, Currency: "EUR",
			Metadata: map[string]string{"plan": "pro"}, ContactID: "hs_42", LinkID: "lnk_spring", Domain: "go.brand.com",
			Tags: []string{"vip"}, Attribution: Attribution{Model: AttributionLastClick, MatchedBy: MatchedByClickID},
			Click: AttributedClick{WebhookClick: WebhookClickOf(click, "https://go.brand.com/spring"), ClickedAt: click.Time, Type: click.Type},
		}})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "conversion_attributed_v1.json", got)
}

func TestClickEventType(t *testing.T) {
	for typ, want := range map[string]string{ClickTypeClick: EventClickCreated, ClickTypeQRScan: EventQRScanCreated} {
		if got, err := ClickEventType(&EnrichedClick{Type: typ}); got != want || err != nil {
			t.Errorf("ClickEventType(%q) = %q, %v; want %q", typ, got, err, want)
		}
	}
	if _, err := ClickEventType(&EnrichedClick{Type: "hover"}); err == nil || !strings.Contains(err.Error(), "field type") {
		t.Errorf("ClickEventType(hover) = %v, want an error naming the field", err)
	}
}
