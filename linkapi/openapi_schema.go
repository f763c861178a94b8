package linkapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"
)

// schemaGen derives JSON Schemas (OpenAPI 3.1 dialect) from Go types the way
// encoding/json encodes them: json tags name members, "-" hides one,
// embedded structs are flattened, ",string" makes a string. Every named
// struct becomes a component; its required members are those without
// omitempty, which the server always writes (a request body's required list
// comes from its route instead).
type schemaGen struct {
	comps map[string]map[string]any
	names map[reflect.Type]string
	// required is the required list a request component was given by
	// the first route that sent it (see requestRef).
	required map[string][]string
}

func newSchemaGen() *schemaGen {
	return &schemaGen{comps: map[string]map[string]any{}, names: map[reflect.Type]string{}, required: map[string][]string{}}
}

// requestRef returns the schema of r's request body: its type's component
// with the members r requires. A type that two routes require differently
// (POST and PATCH of one body) gets a component per required list.
func (g *schemaGen) requestRef(r *apiRoute) (map[string]any, error) {
	ref := g.ref(r.request)
	name := strings.TrimPrefix(ref["$ref"].(string), schemaRefBase)
	comp := g.comps[name]
	for _, f := range r.required {
		if _, ok := comp["properties"].(map[string]any)[f]; !ok {
			return nil, fmt.Errorf("required member %q is not in the request body", f)
		}
	}
	first, seen := g.required[name]
	switch {
	case !seen:
		g.required[name] = r.required
	case slices.Equal(first, r.required):
		return ref, nil
	default:
		name += "For" + exportedName(strings.ReplaceAll(operationID(r), "_", ""))
		comp = maps.Clone(comp)
		g.comps[name] = comp
		ref = map[string]any{"$ref": schemaRefBase + name}
	}
	if len(r.required) > 0 {
		comp["required"] = r.required
	} else {
		delete(comp, "required")
	}
	return ref, nil
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

func typeOf(v any) reflect.Type { return reflect.TypeOf(v) }

var marshalerType = reflect.TypeFor[json.Marshaler]()

// ref returns the schema of v's type, which must be a named struct: a
// $ref to its component.
func (g *schemaGen) ref(v any) map[string]any { return g.schema(typeOf(v)) }

// schema returns the schema of t.
func (g *schemaGen) schema(t reflect.Type) map[string]any {
	if t == nil {
		return map[string]any{}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{}
	case t.Kind() != reflect.Struct && (t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType)):
		// its own JSON form (e.g. a duration written "1h"): reflection
		// cannot tell which
		return map[string]any{"description": "in its own JSON form; see the operation's summary"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return map[string]any{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		return map[string]any{"$ref": schemaRefBase + g.component(t)}
	}
	return map[string]any{} // interfaces and anything else: any JSON value
}

// componentNames are the components named otherwise than their Go type:
// the error was the component ApiError before its type was exported as
// APIError, and clients generated from the document know it by that name.
var componentNames = map[reflect.Type]string{reflect.TypeFor[APIError](): "ApiError"}

// component registers t's schema once and returns its name.
func (g *schemaGen) component(t reflect.Type) string {
	if name, ok := g.names[t]; ok {
		return name
	}
	name, ok := componentNames[t]
	if !ok {
		name = exportedName(t.Name())
	}
	if _, taken := g.comps[name]; taken { // same name in another package
		pkg := t.PkgPath()
		name = exportedName(pkg[strings.LastIndex(pkg, "/")+1:]) + name
	}
	g.names[t] = name
	g.comps[name] = map[string]any{} // placeholder for recursive types
	g.comps[name] = g.object(t)
	return name
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	g.fields(t, props, &required)
	// The server encodes no other member and its decoders refuse any.
	obj := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		obj["required"] = required
	}
	return obj
}

// fields adds t's encoded members to props, flattening embedded structs.
func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			g.fields(ft, props, required)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.schema(f.Type)
		if hasOpt(opts, "string") {
			s = map[string]any{"type": "string"}
		}
		omitted := hasOpt(opts, "omitempty") || hasOpt(opts, "omitzero")
		if f.Type.Kind() == reflect.Pointer && !omitted {
			s = nullable(s) // a nil pointer is written null
		}
		props[name] = s
		if !omitted {
			*required = append(*required, name)
		}
	}
}

// nullable returns s allowing null as well.
func nullable(s map[string]any) map[string]any {
	if t, ok := s["type"].(string); ok {
		s["type"] = []string{t, "null"}
		return s
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}

func hasOpt(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

func exportedName(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
