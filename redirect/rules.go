package redirect

import "slices"

// Rule sends the visitors it matches to its own destination instead of the
// link's. A rule matches when every criterion it sets matches (an empty list
// is no criterion); within one list any value matches. Rules are tried in
// order and the first match wins; see the package doc, "Routing".
type Rule struct {
	// ID names the rule in click records (schemas.RawClick.RuleID).
	ID string `json:"id"`
	// Devices are device types: "desktop", "mobile", "tablet".
	Devices []string `json:"devices,omitempty"`
	// OS are operating systems: "ios", "ipados", "android", "windows",
	// "macos", "linux", "chromeos".
	OS []string `json:"os,omitempty"`
	// Countries are ISO 3166-1 alpha-2 codes ("US", "DE") of the visitor's
	// address, looked up in RedirectConfig.Geo.
	Countries []string `json:"countries,omitempty"`
	// Languages are primary language subtags ("fr", "de") matched against
	// the visitor's most preferred Accept-Language entry.
	Languages []string `json:"languages,omitempty"`
	// DestinationURL is an http(s) URL or an app deep link ("myapp://item/42").
	DestinationURL string `json:"destination_url"`
}

// Variant is one arm of an A/B test. When a link has variants and no rule
// matched, each visitor is sent to one variant, chosen with probability
// Weight / (sum of weights) and stable for that visitor (see "Routing").
type Variant struct {
	ID             string `json:"id"`     // recorded as schemas.RawClick.Variant
	Weight         int    `json:"weight"` // 1 to MaxVariantWeight
	DestinationURL string `json:"destination_url"`
}

// Limits on routing fields, enforced by Link.Validate.
const (
	MaxRules         = 20    // entries in rules
	MaxRuleValues    = 50    // entries in each criterion list of a rule
	MaxVariants      = 10    // entries in variants
	MaxVariantWeight = 10000 // weight of one variant
	MaxRoutingIDLen  = 64    // bytes of a rule or variant id
)

// Criterion values a rule accepts, as the lower-case names the API takes.
var (
	ruleDevices = []string{"desktop", "mobile", "tablet"}
	ruleOSes    = []string{"ios", "ipados", "android", "windows", "macos", "linux", "chromeos"}
)

func cloneRules(rs []Rule) []Rule {
	if rs == nil {
		return nil
	}
	out := make([]Rule, len(rs))
	for i, r := range rs {
		r.Devices = slices.Clone(r.Devices)
		r.OS = slices.Clone(r.OS)
		r.Countries = slices.Clone(r.Countries)
		r.Languages = slices.Clone(r.Languages)
		out[i] = r
	}
	return out
}
