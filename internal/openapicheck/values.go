package openapicheck

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Defaults of generated values where a schema gives no example.
const (
	// DefaultURL is the value of a "uri" string: a loopback address on the
	// discard port, so that nothing is resolved and nothing answers.
	DefaultURL = "http://127.0.0.1:9/openapicheck"
	defaultStr = "oc"
)

// gen makes values from schemas.
type gen struct {
	spec *Spec
	seq  int // makes generated strings unique, so creations do not collide
	now  time.Time
}

// types returns the schema's types, "null" last.
func types(schema map[string]any) []string {
	switch t := schema["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, v := range t {
			if s, _ := v.(string); s != "null" {
				out = append(out, s)
			}
		}
		if len(out) < len(t) {
			out = append(out, "null")
		}
		return out
	}
	return nil
}

func num(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// valid returns a value schema accepts; full adds every optional member of
// objects as well as the required ones.
func (g *gen) valid(schema map[string]any, full bool, depth int) any {
	schema = g.spec.resolve(schema)
	if ex := asSlice(schema["examples"]); len(ex) > 0 {
		return g.unique(ex[0])
	}
	if enum := asSlice(schema["enum"]); len(enum) > 0 {
		return enum[0]
	}
	if c, ok := schema["const"]; ok {
		return c
	}
	_, isObject := schema["properties"]
	for _, kw := range []string{"oneOf", "anyOf"} {
		if alts := asSlice(schema[kw]); len(alts) > 0 && !isObject {
			return g.valid(alts[0].(map[string]any), full, depth)
		}
	}
	ts := types(schema)
	if len(ts) == 0 {
		if _, ok := schema["properties"]; ok {
			ts = []string{"object"}
		} else {
			return defaultStr
		}
	}
	switch ts[0] {
	case "string":
		return g.str(schema)
	case "integer":
		if m, ok := num(schema["minimum"]); ok {
			return int64(m)
		}
		if m, ok := num(schema["maximum"]); ok && m < 1 {
			return int64(m)
		}
		return int64(1)
	case "number":
		if m, ok := num(schema["minimum"]); ok {
			return m
		}
		return 1.5
	case "boolean":
		return false
	case "array":
		items, _ := schema["items"].(map[string]any)
		n := 0
		if m, ok := num(schema["minItems"]); ok {
			n = int(m)
		}
		if full && n == 0 && depth < 3 {
			n = 1
		}
		out := make([]any, 0, n)
		for range n {
			out = append(out, g.valid(items, full, depth+1))
		}
		return out
	case "object":
		out := map[string]any{}
		props, _ := schema["properties"].(map[string]any)
		req := strSet(schema["required"])
		// an object that needs one of several members (oneOf or anyOf
		// of required lists): the first one's
		for _, kw := range []string{"oneOf", "anyOf"} {
			if alts := asSlice(schema[kw]); len(alts) > 0 {
				maps.Copy(req, strSet(alts[0].(map[string]any)["required"]))
				full = full && kw == "anyOf" // oneOf: the others would make it invalid
			}
		}
		for name, ps := range props {
			if req[name] || (full && depth < 3) {
				out[name] = g.valid(ps.(map[string]any), full, depth+1)
			}
		}
		if ap, ok := schema["additionalProperties"].(map[string]any); ok && full && len(props) == 0 && depth < 3 {
			out["oc_key"] = g.valid(ap, full, depth+1)
		}
		return out
	case "null":
		return nil
	}
	return defaultStr
}

// unique makes a string example unique per use when it holds "{n}".
func (g *gen) unique(v any) any {
	s, ok := v.(string)
	if !ok || !strings.Contains(s, "{n}") {
		return v
	}
	g.seq++
	return strings.ReplaceAll(s, "{n}", fmt.Sprint(g.seq))
}

func (g *gen) str(schema map[string]any) string {
	switch schema["format"] {
	case "date-time":
		return g.now.Add(24 * time.Hour).UTC().Format(time.RFC3339)
	case "uri":
		return DefaultURL
	case "email":
		return "oc@example.com"
	case "uuid":
		g.seq++
		return fmt.Sprintf("01900000-0000-7000-8000-%012d", g.seq)
	}
	g.seq++
	s := fmt.Sprintf("%s%d", defaultStr, g.seq)
	if m, ok := num(schema["minLength"]); ok && len(s) < int(m) {
		s += strings.Repeat("x", int(m)-len(s))
	}
	if m, ok := num(schema["maxLength"]); ok && len(s) > int(m) {
		s = s[len(s)-int(m):]
	}
	return s
}

// mutation is an invalid variant of a value, with what makes it invalid.
type mutation struct {
	what  string
	value any
}

// invalid returns the values schema refuses that a client could send
// by mistake: another type, a value outside the enum, past a bound.
func (g *gen) invalid(schema map[string]any) []mutation {
	schema = g.spec.resolve(schema)
	ts := types(schema)
	var out []mutation
	if len(ts) > 0 {
		// a value of the first type the schema does not allow
		other := map[string]any{"string": "a-string", "integer": int64(7), "boolean": true, "array": []any{}, "object": map[string]any{}}
		for _, t := range []string{"string", "integer", "boolean", "array", "object"} {
			if !slices.Contains(ts, t) && !(t == "integer" && slices.Contains(ts, "number")) {
				out = append(out, mutation{what: "wrong type " + t, value: other[t]})
				break
			}
		}
	}
	if enum := asSlice(schema["enum"]); len(enum) > 0 && slices.Contains(ts, "string") {
		out = append(out, mutation{what: "value outside the enum", value: "zz-not-in-enum"})
	}
	if m, ok := num(schema["minimum"]); ok {
		out = append(out, mutation{what: fmt.Sprintf("below minimum %v", m), value: int64(m) - 1})
	}
	if m, ok := num(schema["maximum"]); ok {
		out = append(out, mutation{what: fmt.Sprintf("above maximum %v", m), value: int64(m) + 1})
	}
	if m, ok := num(schema["maxLength"]); ok && slices.Contains(ts, "string") && m < 1<<16 {
		out = append(out, mutation{what: fmt.Sprintf("longer than maxLength %v", m), value: strings.Repeat("a", int(m)+1)})
	}
	if m, ok := num(schema["minLength"]); ok && m > 0 && slices.Contains(ts, "string") {
		out = append(out, mutation{what: fmt.Sprintf("shorter than minLength %v", m), value: strings.Repeat("a", int(m)-1)})
	}
	if m, ok := num(schema["maxItems"]); ok && slices.Contains(ts, "array") && m < 1<<12 {
		items, _ := schema["items"].(map[string]any)
		arr := make([]any, int(m)+1)
		for i := range arr {
			arr[i] = g.valid(items, false, 2)
		}
		out = append(out, mutation{what: fmt.Sprintf("more than maxItems %v", m), value: arr})
	}
	return out
}

func strSet(v any) map[string]bool {
	m := map[string]bool{}
	for _, s := range asSlice(v) {
		if str, ok := s.(string); ok {
			m[str] = true
		}
	}
	return m
}
