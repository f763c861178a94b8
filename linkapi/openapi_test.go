package linkapi

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// openAPIDoc is the part of the document the tests read.
type openAPIDoc struct {
	OpenAPI string `json:"openapi"`
	Paths   map[string]map[string]struct {
		OperationID string `json:"operationId"`
		Security    []map[string][]string
		Parameters  []struct{ Name, In string }
		RequestBody *struct {
			Content map[string]struct{ Schema map[string]any }
		} `json:"requestBody"`
		Responses map[string]struct {
			Content map[string]struct{ Schema map[string]any }
			Headers map[string]any
		}
	}
	Components struct {
		Schemas map[string]struct {
			Properties map[string]map[string]any
			Required   []string
		}
	}
}

func fetchOpenAPI(t *testing.T) (*openAPIDoc, *httptest.ResponseRecorder) {
	t.Helper()
	f := newAPIFixture(t)
	rec, _ := f.do(t, "GET", openAPIPath, "", "") // no key: the document is public
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET %s: %d %q", openAPIPath, rec.Code, rec.Header().Get("Content-Type"))
	}
	var doc openAPIDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("the document is not JSON: %v", err)
	}
	return &doc, rec
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc, _ := fetchOpenAPI(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	a := &api{}
	mux := a.mux(apiRoutes)
	documented := 0
	for _, r := range apiRoutes {
		op, ok := doc.Paths[r.pattern][strings.ToLower(r.method)]
		if !ok {
			t.Errorf("%s %s is registered but not documented", r.method, r.pattern)
			continue
		}
		documented++
		// The route is what the mux serves for a request to it.
		target := pathParam.ReplaceAllString(r.pattern, "x")
		registered := r.pattern
		if r.muxPattern != "" {
			registered = r.muxPattern
		}
		if _, pat := mux.Handler(httptest.NewRequest(r.method, target, nil)); pat != r.method+" "+registered {
			t.Errorf("%s %s is served by pattern %q", r.method, target, pat)
		}
		if _, ok := op.Responses[strconv.Itoa(r.status)]; !ok {
			t.Errorf("%s %s: no %d response", r.method, r.pattern, r.status)
		}
		in := map[string][]string{}
		for _, p := range op.Parameters {
			in[p.In] = append(in[p.In], p.Name)
		}
		if got := len(in["path"]); got != len(pathParam.FindAllString(r.pattern, -1)) {
			t.Errorf("%s %s: %d path parameters", r.method, r.pattern, got)
		}
		if got := len(in["query"]); got != len(r.query) {
			t.Errorf("%s %s: %d query parameters, want %d", r.method, r.pattern, got, len(r.query))
		}
		if wantIdem := !r.public() && r.method != http.MethodGet; wantIdem != slices.Contains(in["header"], "Idempotency-Key") {
			t.Errorf("%s %s: Idempotency-Key documented %v, want %v", r.method, r.pattern, !wantIdem, wantIdem)
		}
		if (r.request != nil) != (op.RequestBody != nil) {
			t.Errorf("%s %s: request body documented %v", r.method, r.pattern, op.RequestBody != nil)
		}
		wantSecurity := []map[string][]string{{"bearer": r.scopes}}
		if r.public() {
			wantSecurity = []map[string][]string{}
		}
		if !slicesEqualJSON(op.Security, wantSecurity) {
			t.Errorf("%s %s: security %v, want %v", r.method, r.pattern, op.Security, wantSecurity)
		}
		for status, resp := range op.Responses {
			code, _ := strconv.Atoi(status)
			if code < 400 {
				continue
			}
			if ref := resp.Content["application/json"].Schema["$ref"]; ref != schemaRefBase+errorSchemaID {
				t.Errorf("%s %s: %s answers %v, want the error schema", r.method, r.pattern, status, ref)
			}
			if code == http.StatusTooManyRequests && resp.Headers["Retry-After"] == nil {
				t.Errorf("%s %s: 429 without Retry-After", r.method, r.pattern)
			}
		}
		if !r.public() {
			for _, status := range []string{"401", "429"} {
				if _, ok := op.Responses[status]; !ok {
					t.Errorf("%s %s: authenticated route without a %s response", r.method, r.pattern, status)
				}
			}
		}
	}
	ops := 0
	for _, p := range doc.Paths {
		ops += len(p)
	}
	if ops != documented {
		t.Errorf("the document has %d operations, the table %d routes", ops, documented)
	}
}

// TestOpenAPIQueryParameters checks that each route's handler accepts every
// query parameter the document lists and refuses one it does not.
func TestOpenAPIQueryParameters(t *testing.T) {
	f := newLifecycleFixture(t)
	for _, r := range apiRoutes {
		if len(r.query) == 0 {
			continue
		}
		target := pathParam.ReplaceAllString(r.pattern, "x") // routes with path parameters may answer 404 first
		for _, q := range r.query {
			rec := f.call(t, r.method, target+"?"+q.name+"=", "")
			if rec.Code == http.StatusBadRequest && apiErr(t, rec).Code == CodeUnknownField {
				t.Errorf("%s %s refuses its documented parameter %s: %s", r.method, r.pattern, q.name, rec.Body)
			}
		}
		rec := f.call(t, r.method, target+"?undocumented=1", "")
		if rec.Code != http.StatusNotFound && (rec.Code != http.StatusBadRequest || apiErr(t, rec).Field != "undocumented") {
			t.Errorf("%s %s accepts an undocumented parameter: %d %s", r.method, r.pattern, rec.Code, rec.Body)
		}
	}
}

func TestOpenAPISchemas(t *testing.T) {
	doc, _ := fetchOpenAPI(t)
	s := doc.Components.Schemas
	errSchema := s[errorSchemaID]
	if !slices.Contains(errSchema.Required, "error") {
		t.Errorf("ErrorResponse: required %v", errSchema.Required)
	}
	apiErr := s["ApiError"]
	for _, m := range []string{"code", "field", "message", "existing_id", "rule"} {
		if apiErr.Properties[m] == nil {
			t.Errorf("ApiError has no member %q: %v", m, apiErr.Properties)
		}
	}
	enum, _ := apiErr.Properties["rule"]["enum"].([]any)
	for _, r := range []string{RulePrivateAddress, RuleWorkspaceDenyList, RuleHost, RulePort, RuleSyntax, RuleUnresolvable, RuleScheme} {
		if !slices.Contains(enum, any(r)) {
			t.Errorf("ApiError.rule enum %v lacks %q", enum, r)
		}
	}
	if _, ok := apiErr.Properties["status"]; ok {
		t.Error("ApiError documents the unexported status")
	}
	req := s["CreateLinkRequest"]
	if !slices.Equal(req.Required, []string{"destination_url"}) {
		t.Errorf("CreateLinkRequest required %v, want [destination_url]", req.Required)
	}
	if rules := req.Properties["rules"]; rules["type"] != "array" || rules["items"].(map[string]any)["$ref"] != schemaRefBase+"Rule" {
		t.Errorf("CreateLinkRequest.rules = %v", rules)
	}
	resp := s["LinkResponse"] // *Link embedded: its members are flattened
	for _, m := range []string{"id", "destination_url", "short_url", "created_at"} {
		if !slices.Contains(resp.Required, m) {
			t.Errorf("LinkResponse does not require %q: %v", m, resp.Required)
		}
	}
	if slices.Contains(resp.Required, "tags") || resp.Properties["tags"] == nil {
		t.Errorf("LinkResponse: tags is omitempty, want optional and present: %v", resp.Required)
	}
	if f := resp.Properties["created_at"]["format"]; f != "date-time" {
		t.Errorf("created_at format %v", f)
	}
	if m := resp.Properties["metadata"]; m["type"] != "object" || m["additionalProperties"].(map[string]any)["type"] != "string" {
		t.Errorf("metadata = %v", m)
	}
	for name, c := range s {
		for _, r := range c.Required {
			if c.Properties[r] == nil {
				t.Errorf("%s requires %q, which it does not have", name, r)
			}
		}
	}
}

func TestOpenAPIRejectsUnknownRequiredMember(t *testing.T) {
	routes := []apiRoute{{method: "POST", pattern: "/x", request: createLinkRequest{}, required: []string{"nope"},
		response: linkResponse{}, status: 201, scopes: []string{"s"}}}
	if _, err := openAPIDocument(routes); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("openAPIDocument = %v, want an error naming the member", err)
	}
}

func slicesEqualJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// TestOpenAPIStatedContract pins what a property-based client found the
// document missing (issue 11); TestOpenAPIConformance in internal/app checks
// the same against a running server.
func TestOpenAPIStatedContract(t *testing.T) {
	_, rec := fetchOpenAPI(t)
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name, In string
				Schema   map[string]any
			}
			Responses map[string]any
		}
		Components struct{ Schemas map[string]map[string]any }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range apiRoutes {
		op := doc.Paths[r.pattern][strings.ToLower(r.method)]
		want := []int{400, 405, 431, 500}
		if r.idempotent() {
			want = append(want, 409, 413, 422)
		}
		if !r.public() {
			want = append(want, 401, 403, 429)
		}
		for _, status := range want {
			if op.Responses[strconv.Itoa(status)] == nil {
				t.Errorf("%s %s does not document %d", r.method, r.pattern, status)
			}
		}
	}
	put := doc.Paths["/v1/links/external/{external_id}"]["put"]
	if put.Responses["200"] == nil || put.Responses["201"] == nil {
		t.Errorf("PUT /v1/links/external/{external_id} documents %v, want 200 and 201", slices.Collect(maps.Keys(put.Responses)))
	}
	qr := map[string]map[string]any{}
	for _, p := range doc.Paths["/v1/links/{id}/qr"]["get"].Parameters {
		qr[p.Name] = p.Schema
	}
	if !slicesEqualJSON(qr["format"]["enum"], []string{"png", "svg"}) {
		t.Errorf("QR format schema %v, want enum png, svg", qr["format"])
	}
	if qr["size"]["minimum"] != float64(64) || qr["size"]["maximum"] != float64(2048) {
		t.Errorf("QR size schema %v, want 64 to 2048", qr["size"])
	}
	for name, c := range doc.Components.Schemas {
		if c["type"] == "object" && c["additionalProperties"] != false {
			t.Errorf("%s is open: the server writes and accepts no other member", name)
		}
	}
	ws := doc.Components.Schemas["WorkspaceView"]
	if slices.Contains(ws["required"].([]any), any("updated_at")) {
		t.Errorf("WorkspaceView requires updated_at, which is omitted while unknown")
	}
}
