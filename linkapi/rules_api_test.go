package linkapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/clicktrail/clicktrail/redirect"
)

func TestAPIRoutingFields(t *testing.T) {
	f := newAPIFixture(t)
	rec, _ := f.do(t, "POST", "/v1/links", `{
		"destination_url": "https://shop.example.org/spring",
		"path": "routed",
		"rules": [
			{"id": "ios", "os": ["iOS"], "destination_url": "myapp://spring"},
			{"id": "de", "countries": ["de", "AT"], "languages": ["DE"], "destination_url": "https://shop.example.org/de"}
		],
		"variants": [
			{"id": "a", "weight": 1, "destination_url": "https://shop.example.org/a"},
			{"id": "b", "weight": 3, "destination_url": "https://shop.example.org/b"}
		],
		"track_conversions": true,
		"expires_at": "2027-01-01T00:00:00Z",
		"expired_url": "https://shop.example.org/over",
		"expired_redirect": true
	}`, testKey)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var created linkResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil {
		t.Fatal(err)
	}
	stored, ok := f.store.Lookup(testDomain, "routed")
	if !ok {
		t.Fatal("created link does not resolve")
	}
	wantRules := []redirect.Rule{
		{ID: "ios", OS: []string{"ios"}, DestinationURL: "myapp://spring"},
		{ID: "de", Countries: []string{"DE", "AT"}, Languages: []string{"de"}, DestinationURL: "https://shop.example.org/de"},
	}
	if !reflect.DeepEqual(stored.Rules, wantRules) || len(stored.Variants) != 2 || stored.Variants[1].Weight != 3 ||
		!stored.TrackConversions || !stored.ExpiredRedirect {
		t.Errorf("stored link %+v", stored)
	}
	if !reflect.DeepEqual(created.Rules, wantRules) || !created.TrackConversions {
		t.Errorf("answer %s", rec.Body)
	}
}

func TestAPIRoutingErrors(t *testing.T) {
	f := newAPIFixture(t)
	const dest = `"destination_url":"https://example.org/"`
	const rule = `{"id":"r0","devices":["mobile"],"destination_url":"https://example.org/m"}`
	for _, tc := range []struct {
		name, body, code, field string
	}{
		{"rule destination", `{` + dest + `,"rules":[` + rule + `,{"id":"r1","os":["ios"],"destination_url":"javascript:x"}]}`, CodeInvalidField, "rules[1].destination_url"},
		{"rule device", `{` + dest + `,"rules":[{"id":"r0","devices":["watch"],"destination_url":"https://example.org/"}]}`, CodeInvalidField, "rules[0].devices[0]"},
		{"rule without criteria", `{` + dest + `,"rules":[{"id":"r0","destination_url":"https://example.org/"}]}`, CodeInvalidField, "rules[0]"},
		{"rules not an array", `{` + dest + `,"rules":{}}`, CodeInvalidField, "rules"},
		{"unknown rule field", `{` + dest + `,"rules":[{"id":"r0","device":["mobile"]}]}`, CodeUnknownField, "device"},
		{"variant weight type", `{` + dest + `,"variants":[{"id":"a","weight":"1"}]}`, CodeInvalidField, "variants.weight"},
		{"variant weight", `{` + dest + `,"variants":[{"id":"a","weight":1,"destination_url":"https://example.org/a"},{"id":"b","weight":0,"destination_url":"https://example.org/b"}]}`, CodeInvalidField, "variants[1].weight"},
		{"track_conversions type", `{` + dest + `,"track_conversions":"yes"}`, CodeInvalidField, "track_conversions"},
		{"expired_redirect without URL", `{` + dest + `,"expired_redirect":true}`, CodeInvalidField, "expired_url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, eb := f.do(t, "POST", "/v1/links", tc.body, testKey)
			if rec.Code != http.StatusBadRequest || eb.Error.Code != tc.code || eb.Error.Field != tc.field {
				t.Fatalf("got %d %+v, want 400 %s naming %q", rec.Code, eb.Error, tc.code, tc.field)
			}
		})
	}
}
