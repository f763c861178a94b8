package redirect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/clicktrail/clicktrail/internal/urlrule"
)

// validateRules checks l.Rules; errors name the field as the API spells it,
// "rules[1].destination_url".
func validateRules(rules []Rule) error {
	if len(rules) > MaxRules {
		return FieldErrorf("rules", "at most %d rules, got %d", MaxRules, len(rules))
	}
	for i := range rules {
		r := &rules[i]
		name := fmt.Sprintf("rules[%d]", i)
		if !validRoutingID(r.ID) {
			return FieldErrorf(name+".id", "want 1 to %d characters of A-Z a-z 0-9 _ . -", MaxRoutingIDLen)
		}
		for j := range i {
			if rules[j].ID == r.ID {
				return FieldErrorf(name+".id", "%q is also the id of rules[%d]", r.ID, j)
			}
		}
		if len(r.Devices)+len(r.OS)+len(r.Countries)+len(r.Languages) == 0 {
			return FieldErrorf(name, "set at least one of devices, os, countries, languages")
		}
		for _, c := range [...]struct {
			field  string
			values []string
			ok     func(string) bool
			want   string
		}{
			{"devices", r.Devices, func(v string) bool { return slices.Contains(ruleDevices, v) }, "one of " + strings.Join(ruleDevices, ", ")},
			{"os", r.OS, func(v string) bool { return slices.Contains(ruleOSes, v) }, "one of " + strings.Join(ruleOSes, ", ")},
			{"countries", r.Countries, validCountry, "an upper-case ISO 3166-1 alpha-2 code such as US"},
			{"languages", r.Languages, validLanguage, "a lower-case primary language subtag such as fr"},
		} {
			if len(c.values) > MaxRuleValues {
				return FieldErrorf(name+"."+c.field, "at most %d values, got %d", MaxRuleValues, len(c.values))
			}
			for k, v := range c.values {
				if !c.ok(v) {
					return FieldErrorf(fmt.Sprintf("%s.%s[%d]", name, c.field, k), "want %s, got %.40q", c.want, v)
				}
			}
		}
		if err := urlProblem(name+".destination_url", r.DestinationURL, urlrule.WebOrApp); err != nil {
			return err
		}
	}
	return nil
}

// validateVariants checks l.Variants.
func validateVariants(vs []Variant) error {
	if len(vs) > MaxVariants {
		return FieldErrorf("variants", "at most %d variants, got %d", MaxVariants, len(vs))
	}
	if len(vs) == 1 {
		return FieldErrorf("variants", "an A/B test needs at least 2 variants, got 1")
	}
	for i := range vs {
		v := &vs[i]
		name := fmt.Sprintf("variants[%d]", i)
		if !validRoutingID(v.ID) {
			return FieldErrorf(name+".id", "want 1 to %d characters of A-Z a-z 0-9 _ . -", MaxRoutingIDLen)
		}
		for j := range i {
			if vs[j].ID == v.ID {
				return FieldErrorf(name+".id", "%q is also the id of variants[%d]", v.ID, j)
			}
		}
		if v.Weight < 1 || v.Weight > MaxVariantWeight {
			return FieldErrorf(name+".weight", "want 1 to %d, got %d", MaxVariantWeight, v.Weight)
		}
		if err := urlProblem(name+".destination_url", v.DestinationURL, urlrule.Web); err != nil {
			return err
		}
	}
	return nil
}

func validRoutingID(id string) bool {
	return id != "" && len(id) <= MaxRoutingIDLen && validMetadataKey(id)
}

func validCountry(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

func validLanguage(l string) bool {
	if len(l) < 2 || len(l) > 8 {
		return false
	}
	for i := 0; i < len(l); i++ {
		if l[i] < 'a' || l[i] > 'z' {
			return false
		}
	}
	return true
}
