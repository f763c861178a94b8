package linkapi

import (
	"fmt"
	"maps"
	"strings"

	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/redirect/qr"
	"github.com/clicktrail/clicktrail/schemas"
)

// What the Go types cannot tell the OpenAPI document: the formats, enums and
// bounds the decoders enforce, and an example where a valid value has a
// shape a generated string would miss. Each entry names a component member
// (or a query parameter) the document must have: openAPIDocument fails on
// one that is gone, so a renamed member cannot leave a stale fact behind.

// memberFacts are merged into the schema of component.member.
var memberFacts = map[string]map[string]map[string]any{
	"CreateLinkRequest": withFacts(linkRequestFacts, map[string]map[string]any{
		"on_conflict": {"enum": []string{OnConflictError, OnConflictSuffix}},
	}),
	"LinkPatch": linkRequestFacts,
	"LinkResponse": {
		"destination_url": {"format": "uri"},
		"short_url":       {"format": "uri"},
		"redirect_code":   {"enum": []int{301, 302, 307}},
	},
	"Rule":    {"destination_url": {"format": "uri"}},
	"Variant": {"destination_url": {"format": "uri"}},
	"CreateKeyRequest": {
		"scopes": {"items": map[string]any{"type": "string", "enum": tenancy.KeyScopes}, "minItems": 1},
	},
	"AddDomainRequest": {"domain": {"examples": []string{"oc{n}.example.com"}}},
	"ConversionRequest": {
		"occurred_at": {"format": "date-time", "description": "Default now; at most 5 minutes ahead of the server's clock.",
			"examples": []string{"2026-01-02T15:04:05Z"}},
		"amount":   {"minimum": 0},
		"click_id": {"format": "uuid"},
	},
	"ConversionResponse": {"click_id": {"format": "uuid"}, "id": {"format": "uuid"}},
	"EndpointRequest": {
		"url":    {"format": "uri"},
		"events": {"examples": [][]string{{schemas.EventTypes[0]}}},
	},
	"EndpointView": {"url": {"format": "uri"}},
}

var linkRequestFacts = map[string]map[string]any{
	"destination_url": {"format": "uri"},
	"expired_url":     {"format": "uri"},
	"expires_at":      {"format": "date-time"},
	"redirect_code":   {"enum": []int{301, 302, 307}},
}

func withFacts(a, b map[string]map[string]any) map[string]map[string]any {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

// componentFacts are merged into a component's schema.
var componentFacts = map[string]map[string]any{
	// decodeConversion
	"ConversionRequest": {"anyOf": []any{
		map[string]any{"required": []string{"click_id"}},
		map[string]any{"required": []string{"contact_id"}},
	}},
	// the webhook API's replay
	"ReplayRequest": {"oneOf": []any{
		map[string]any{"required": []string{"message_id"}},
		map[string]any{"required": []string{"since"}},
	}},
}

// queryFacts are merged into the schema of a query parameter: by
// "pattern name", else by name.
var queryFacts = map[string]map[string]any{
	"limit":                    {"minimum": 1, "maximum": redirect.MaxListLimit, "default": 50},
	"/v1/links/{id}/qr format": {"enum": []string{"png", "svg"}, "default": "png"},
	"/v1/links/{id}/qr size":   {"minimum": qr.MinSize, "maximum": qr.MaxSize, "default": qr.DefaultSize},
}

// routeFacts are memberFacts with the facts of routes added.
func routeFacts(routes []apiRoute) map[string]map[string]map[string]any {
	all := maps.Clone(memberFacts)
	for _, r := range routes {
		maps.Copy(all, r.facts)
	}
	return all
}

// applyFacts merges facts (component, member, facts) into the components.
func applyFacts(comps map[string]map[string]any, facts map[string]map[string]map[string]any) error {
	for name, c := range comps {
		comp := name
		if i := strings.LastIndex(name, "For"); i > 0 {
			comp = name[:i] // requestRef's copies
		}
		maps.Copy(c, componentFacts[comp])
		members, ok := facts[comp]
		if !ok {
			continue
		}
		props, _ := c["properties"].(map[string]any)
		for member, facts := range members {
			s, ok := props[member].(map[string]any)
			if !ok {
				return fmt.Errorf("fact about %s.%s: no such member", name, member)
			}
			maps.Copy(s, facts)
		}
	}
	return nil
}

// queryFact returns the facts of query parameter name of pattern.
func queryFact(pattern, name string) map[string]any {
	if f, ok := queryFacts[pattern+" "+name]; ok {
		return f
	}
	return queryFacts[name]
}
