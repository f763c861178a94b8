package openapicheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Spec is a parsed OpenAPI document.
type Spec struct {
	Ops   []*Operation
	doc   map[string]any // as encoding/json decodes it, for generating values
	paths map[string][]string
}

// Operation is one method of one path.
type Operation struct {
	Method, Path, ID string
	Params           []Param
	Body             map[string]any // request body schema; nil for none
	BodyRequired     bool
	Responses        map[int]*Response
	Secured          bool // needs a bearer key
}

// Param is a path, query or header parameter.
type Param struct {
	Name, In string
	Required bool
	Schema   map[string]any
}

// Response is one documented status of an operation.
type Response struct {
	// Media are the documented content types, each with its compiled
	// schema (nil for a binary body); empty for an answer without a body.
	Media map[string]*jsonschema.Schema
}

// Load parses an OpenAPI 3.1 document and compiles every response schema.
func Load(doc []byte) (*Spec, error) {
	var raw map[string]any
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	forCompiler, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	const base = "mem:///openapi.json"
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "date-time", Validate: dateTime})
	if err := c.AddResource(base, forCompiler); err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	s := &Spec{doc: raw, paths: map[string][]string{}}
	paths, _ := raw["paths"].(map[string]any)
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		for method, v := range paths[p].(map[string]any) {
			opm, ok := v.(map[string]any)
			if !ok {
				continue
			}
			op := &Operation{Method: strings.ToUpper(method), Path: p, Responses: map[int]*Response{}}
			op.ID, _ = opm["operationId"].(string)
			sec, hasSec := opm["security"].([]any)
			op.Secured = !hasSec || len(sec) > 0
			for _, pv := range asSlice(opm["parameters"]) {
				pm := pv.(map[string]any)
				req, _ := pm["required"].(bool)
				schema, _ := pm["schema"].(map[string]any)
				op.Params = append(op.Params, Param{Name: pm["name"].(string), In: pm["in"].(string), Required: req, Schema: schema})
			}
			if rb, ok := opm["requestBody"].(map[string]any); ok {
				op.BodyRequired, _ = rb["required"].(bool)
				if mt, ok := rb["content"].(map[string]any)["application/json"].(map[string]any); ok {
					op.Body, _ = mt["schema"].(map[string]any)
				}
			}
			ptr := "#/paths/" + escape(p) + "/" + method + "/responses/"
			for code, rv := range opm["responses"].(map[string]any) {
				status, err := strconv.Atoi(code)
				if err != nil {
					return nil, fmt.Errorf("%s %s: response %q is not a status", op.Method, p, code)
				}
				resp := &Response{Media: map[string]*jsonschema.Schema{}}
				content, _ := rv.(map[string]any)["content"].(map[string]any)
				for media, mv := range content {
					schema, _ := mv.(map[string]any)["schema"].(map[string]any)
					if schema["format"] == "binary" {
						resp.Media[media] = nil
						continue
					}
					sch, err := c.Compile(base + ptr + code + "/content/" + escape(media) + "/schema")
					if err != nil {
						return nil, fmt.Errorf("%s %s %d: compile schema: %w", op.Method, p, status, err)
					}
					resp.Media[media] = sch
				}
				op.Responses[status] = resp
			}
			s.Ops = append(s.Ops, op)
			s.paths[p] = append(s.paths[p], op.Method)
		}
	}
	sort.SliceStable(s.Ops, func(i, j int) bool { return order(s.Ops[i]) < order(s.Ops[j]) })
	return s, nil
}

// order runs creations first (so that later operations find ids to act
// on), deletions last; a collection is created before its members and
// changed or deleted after them (a workspace's settings last).
func order(op *Operation) int {
	rank := map[string]int{http.MethodPost: 0, http.MethodPut: 1, http.MethodGet: 2, http.MethodPatch: 3, http.MethodDelete: 4}[op.Method]
	depth := strings.Count(op.Path, "/")*10 + strings.Count(op.Path, "{")
	if rank >= 3 {
		depth = 100 - depth
	}
	return rank*1000 + depth
}

// resolve follows a local $ref.
func (s *Spec) resolve(schema map[string]any) map[string]any {
	for range 16 {
		ref, ok := schema["$ref"].(string)
		if !ok {
			return schema
		}
		var cur any = s.doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
			m, ok := cur.(map[string]any)
			if !ok {
				return map[string]any{}
			}
			cur = m[part]
		}
		schema, _ = cur.(map[string]any)
	}
	return schema
}

// methods returns the documented methods of path.
func (s *Spec) methods(path string) []string { return s.paths[path] }

func escape(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }

func asSlice(v any) []any { s, _ := v.([]any); return s }

// dateTime is the date-time format (RFC 3339) without the zero time of Go,
// 0001-01-01T00:00:00Z, which no API answer means: a time that is not
// known is omitted (or null where the schema allows it).
func dateTime(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("not an RFC 3339 date-time: %w", err)
	}
	if t.Year() == 1 {
		return errors.New("the zero time (year 1): an unknown time must be omitted")
	}
	return nil
}
