package openapicheck

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Config says where the server is and how to talk to it.
type Config struct {
	BaseURL string // e.g. http://127.0.0.1:8081
	// Key is a bearer key with every scope the operations need.
	Key    string
	Client *http.Client // nil: http.DefaultClient
	// MaxPathValues bounds the ids tried for each path parameter (besides
	// one made up, which must answer 404); 0 means 3.
	MaxPathValues int
	Now           func() time.Time // nil: time.Now
	// Trace, when set, is told every request and its answer.
	Trace func(method, target string, body []byte, status int, answer []byte)
}

// Report is the result of a run.
type Report struct {
	Requests int
	Failures []Failure
	// Statuses counts the answers of each operation by status.
	Statuses map[string]map[int]int
	seen     map[string]bool
}

// Coverage is one line per operation: the statuses it answered, counted.
func (r *Report) Coverage() []string {
	var out []string
	for op, st := range r.Statuses {
		line := op + ":"
		for _, code := range slices.Sorted(mapKeys(st)) {
			line += fmt.Sprintf(" %d×%d", code, st[code])
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return out
}

func (r *Report) add(f Failure) {
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if !r.seen[f.kind()] { // one example of each disagreement
		r.seen[f.kind()] = true
		r.Failures = append(r.Failures, f)
	}
}

// Distinct returns the failures, one line each, sorted.
func (r *Report) Distinct() []string {
	out := make([]string, len(r.Failures))
	for i, f := range r.Failures {
		out[i] = f.String()
	}
	sort.Strings(out)
	return out
}

type runner struct {
	spec   *Spec
	cfg    Config
	gen    *gen
	report Report
	ids    map[string][]string // "collection/|param" -> values seen in answers
	reuse  string              // an Idempotency-Key already used once
}

// Run sends the generated requests of every operation of spec, in order
// (creations first, deletions last), and returns what disagreed.
func Run(ctx context.Context, spec *Spec, cfg Config) (*Report, error) {
	if cfg.Client == nil {
		cfg.Client = http.DefaultClient
	}
	if cfg.MaxPathValues == 0 {
		cfg.MaxPathValues = 3
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &runner{spec: spec, cfg: cfg, gen: &gen{spec: spec, now: cfg.Now()}, ids: map[string][]string{}}
	for _, op := range spec.Ops {
		if err := r.operation(ctx, op); err != nil {
			return &r.report, fmt.Errorf("%s %s: %w", op.Method, op.Path, err)
		}
	}
	if err := r.otherMethods(ctx); err != nil {
		return &r.report, err
	}
	return &r.report, nil
}

// request is one generated request.
type request struct {
	name    string
	path    string // with parameters filled
	query   string
	body    []byte // nil: none
	headers map[string]string
	noAuth  bool
	want    expect
}

func (r *runner) operation(ctx context.Context, op *Operation) error {
	paths := r.pathValues(op)
	var body any
	if op.Body != nil {
		body = r.gen.valid(op.Body, false, 0)
	}
	// The minimal valid request on every path tried; the first path that
	// answers 2xx is the one the other cases use.
	primary, primaryStatus := paths[0], 0
	for _, p := range paths {
		status, err := r.send(ctx, op, request{name: "valid, required members only, path " + p, path: p, body: encode(body)})
		if err != nil {
			return err
		}
		if primaryStatus == 0 || (status/100 == 2 && primaryStatus/100 != 2) {
			primary, primaryStatus = p, status
		}
	}
	var cases []request
	add := func(name string, body any, want expect) {
		cases = append(cases, request{name: name, path: primary, body: encode(body), want: want})
	}
	if op.Body != nil {
		add("valid, every member", r.gen.valid(op.Body, true, 0), expectAny)
		cases = append(cases,
			request{name: "body not JSON", path: primary, body: []byte("{not json"), want: expect4xx},
			request{name: "body a JSON array", path: primary, body: []byte("[]"), want: expect4xx})
		if op.BodyRequired {
			cases = append(cases, request{name: "no body", path: primary, want: expect4xx})
		}
		for _, m := range r.bodyMutations(op.Body) {
			add(m.what, m.value, expect4xx)
		}
	}
	for _, p := range op.Params {
		switch p.In {
		case "query":
			cases = append(cases, request{name: "query " + p.Name + " valid", path: primary, query: queryValue(p.Name, r.gen.valid(p.Schema, false, 0))})
			for _, m := range r.gen.invalid(p.Schema) {
				if _, isArray := m.value.([]any); isArray || strings.HasPrefix(m.what, "wrong type string") ||
					(strings.HasPrefix(m.what, "wrong type") && slices.Contains(types(r.spec.resolve(p.Schema)), "string")) {
					continue // every query value is a string
				}
				cases = append(cases, request{name: "query " + p.Name + ": " + m.what, path: primary, query: queryValue(p.Name, m.value), want: expect4xx})
			}
		case "header":
			if p.Name != "Idempotency-Key" {
				continue
			}
			for _, m := range r.gen.invalid(p.Schema) {
				if s, ok := m.value.(string); ok {
					cases = append(cases, request{name: "Idempotency-Key " + m.what, path: primary, body: encode(body),
						headers: map[string]string{"Idempotency-Key": s}, want: expect4xx})
				}
			}
			cases = append(cases, request{name: "Idempotency-Key not ASCII", path: primary, body: encode(body),
				headers: map[string]string{"Idempotency-Key": "clé-é"}, want: expect4xx})
		}
	}
	if op.Secured {
		cases = append(cases,
			request{name: "no Authorization", path: primary, body: encode(body), noAuth: true, want: expect401},
			request{name: "unknown key", path: primary, body: encode(body), noAuth: true,
				headers: map[string]string{"Authorization": "Bearer not-a-key-0123456789"}, want: expect401})
	}
	for _, c := range cases {
		if _, err := r.send(ctx, op, c); err != nil {
			return err
		}
	}
	// The Idempotency-Key protocol runs once a request reaches its
	// operation: not for a path no operation serves.
	reached := primaryStatus != http.StatusNotFound && primaryStatus != http.StatusMethodNotAllowed
	if reached && slices.ContainsFunc(op.Params, func(p Param) bool { return p.In == "header" && p.Name == "Idempotency-Key" }) {
		return r.idempotency(ctx, op, primary, body)
	}
	return nil
}

// idempotency sends a request twice with a new key (the second must be a
// replay of the first) and once with a key first used elsewhere (422).
func (r *runner) idempotency(ctx context.Context, op *Operation, path string, body any) error {
	key := fmt.Sprintf("openapicheck-%s-%d", op.ID, r.gen.now.UnixNano())
	first := request{name: "Idempotency-Key, first use", path: path, body: encode(body), headers: map[string]string{"Idempotency-Key": key}}
	status, err := r.send(ctx, op, first)
	if err != nil {
		return err
	}
	if status < 500 {
		again := first
		again.name, again.want = "Idempotency-Key, same request again", expectReplayed
		again2, err := r.sendRaw(ctx, op, again)
		if err != nil {
			return err
		}
		if again2.status != status || again2.replayed != "true" {
			r.report.add(Failure{Op: op.Method + " " + op.Path, Case: again.name, Status: again2.status,
				Problem: fmt.Sprintf("the retry was not a replay of the first answer %d (Idempotent-Replayed %q)", status, again2.replayed)})
		}
	}
	if r.reuse == "" {
		if status < 500 {
			r.reuse = key
		}
		return nil
	}
	_, err = r.send(ctx, op, request{name: "Idempotency-Key first used on another operation", path: path, body: encode(body),
		headers: map[string]string{"Idempotency-Key": r.reuse}, want: expect422})
	return err
}

// bodyMutations are the invalid variants of a valid body: each required
// member missing, an unknown member, and each member's invalid values.
func (r *runner) bodyMutations(schema map[string]any) []mutation {
	schema = r.spec.resolve(schema)
	base, _ := r.gen.valid(schema, false, 0).(map[string]any)
	if base == nil {
		return nil
	}
	var out []mutation
	with := func(name string, v any) map[string]any {
		m := cloneMap(base)
		m[name] = v
		return m
	}
	for _, name := range slices.Sorted(mapKeys(strSet(schema["required"]))) {
		m := cloneMap(base)
		delete(m, name)
		out = append(out, mutation{what: "required member " + name + " missing", value: m})
	}
	if schema["additionalProperties"] == false {
		out = append(out, mutation{what: "unknown member", value: with("zz_unknown_member", 1)})
	}
	props, _ := schema["properties"].(map[string]any)
	for _, name := range slices.Sorted(mapKeys(props)) {
		for _, m := range r.gen.invalid(props[name].(map[string]any)) {
			out = append(out, mutation{what: name + ": " + m.what, value: with(name, m.value)})
		}
	}
	return out
}

// answer is what send keeps of an answer.
type answer struct {
	status   int
	replayed string
}

func (r *runner) send(ctx context.Context, op *Operation, req request) (int, error) {
	a, err := r.sendRaw(ctx, op, req)
	return a.status, err
}

func (r *runner) sendRaw(ctx context.Context, op *Operation, req request) (answer, error) {
	target := r.cfg.BaseURL + req.path
	if req.query != "" {
		target += "?" + req.query
	}
	var rd io.Reader
	if req.body != nil {
		rd = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(ctx, op.Method, target, rd)
	if err != nil {
		return answer{}, err
	}
	if req.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if !req.noAuth {
		hr.Header.Set("Authorization", "Bearer "+r.cfg.Key)
	}
	for k, v := range req.headers {
		hr.Header[k] = []string{v}
	}
	resp, err := r.cfg.Client.Do(hr)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	r.report.Requests++
	if r.cfg.Trace != nil {
		r.cfg.Trace(op.Method, target, req.body, resp.StatusCode, body)
	}
	if r.report.Statuses == nil {
		r.report.Statuses = map[string]map[int]int{}
	}
	name := op.Method + " " + op.Path
	if r.report.Statuses[name] == nil {
		r.report.Statuses[name] = map[int]int{}
	}
	r.report.Statuses[name][resp.StatusCode]++
	if req.want != expectReplayed || resp.StatusCode != http.StatusOK {
		r.check(op, req.name, resp, body, req.want)
	} else {
		r.check(op, req.name, resp, body, expectAny)
	}
	if resp.StatusCode/100 == 2 {
		r.harvest(req.path, resp, body)
	}
	return answer{status: resp.StatusCode, replayed: resp.Header.Get("Idempotent-Replayed")}, nil
}

// otherMethods sends each path the methods it does not document: each
// must answer with a status some operation of the path documents (405).
func (r *runner) otherMethods(ctx context.Context) error {
	for _, op := range r.spec.Ops {
		methods := r.spec.methods(op.Path)
		if methods[0] != op.Method {
			continue // once per path
		}
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if slices.Contains(methods, m) {
				continue
			}
			other := *op
			other.Method = m
			path := pathParamRE.ReplaceAllString(op.Path, "zz-no-such")
			a, err := r.sendRaw(ctx, &Operation{Method: m, Path: op.Path, Responses: op.Responses, Secured: op.Secured},
				request{name: "undocumented method " + m, path: path})
			if err != nil {
				return err
			}
			if a.status != http.StatusMethodNotAllowed {
				r.report.add(Failure{Op: m + " " + op.Path, Case: "undocumented method", Status: a.status, Problem: "an undocumented method was not answered 405"})
			}
		}
	}
	return nil
}

var pathParamRE = regexp.MustCompile(`\{([^}]+)\}`)

// pathValues returns the paths to try for op: its parameters filled with
// ids seen in earlier answers, a generated value, and one made up.
func (r *runner) pathValues(op *Operation) []string {
	names := pathParamRE.FindAllStringSubmatchIndex(op.Path, -1)
	if len(names) == 0 {
		return []string{op.Path}
	}
	var out []string
	for variant := range r.cfg.MaxPathValues + 2 {
		p, ok := op.Path, true
		for i := len(names) - 1; i >= 0; i-- {
			loc := names[i]
			name := op.Path[loc[2]:loc[3]]
			key := op.Path[:loc[0]] + "|" + name
			seen := r.ids[key]
			var v string
			switch {
			case variant < len(seen) && variant < r.cfg.MaxPathValues:
				v = seen[len(seen)-1-variant]
			case variant == r.cfg.MaxPathValues:
				v = fmt.Sprint(r.gen.valid(r.paramSchema(op, name), false, 0))
			case variant == r.cfg.MaxPathValues+1:
				v = "zz-no-such-" + name
			default:
				ok = false
			}
			p = p[:loc[0]] + v + p[loc[1]:]
		}
		if ok {
			out = append(out, p)
		}
	}
	return out
}

func (r *runner) paramSchema(op *Operation, name string) map[string]any {
	for _, p := range op.Params {
		if p.In == "path" && p.Name == name {
			return p.Schema
		}
	}
	return map[string]any{"type": "string"}
}

// harvest keeps the ids of a 2xx answer to path: its Location, the
// members of its body (and of the objects in its lists) under
// path + "/|" + member, so that path/{member} finds them.
func (r *runner) harvest(path string, resp *http.Response, body []byte) {
	keep := func(key, v string) {
		if v != "" && !slices.Contains(r.ids[key], v) {
			r.ids[key] = append(r.ids[key], v)
		}
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		for _, op := range r.spec.Ops {
			idx := pathParamRE.FindAllStringSubmatchIndex(op.Path, -1)
			if len(idx) != 1 || !strings.HasSuffix(op.Path, "}") {
				continue
			}
			prefix := op.Path[:idx[0][0]]
			if v, ok := strings.CutPrefix(loc, prefix); ok && !strings.Contains(v, "/") {
				keep(prefix+"|"+op.Path[idx[0][2]:idx[0][3]], v)
			}
		}
	}
	var v map[string]any
	if json.Unmarshal(body, &v) != nil {
		return
	}
	objs := []map[string]any{v}
	for _, m := range v {
		for _, item := range asSlice(m) {
			if o, ok := item.(map[string]any); ok {
				objs = append(objs, o)
			}
		}
	}
	for _, o := range objs {
		for name, m := range o {
			if s, ok := m.(string); ok {
				keep(path+"/|"+name, s)
			}
		}
	}
	// a path that names its resource (PUT /v1/templates/{name})
	for _, op := range r.spec.Ops {
		idx := pathParamRE.FindAllStringSubmatchIndex(op.Path, -1)
		if len(idx) != 1 || !strings.HasSuffix(op.Path, "}") {
			continue
		}
		prefix := op.Path[:idx[0][0]]
		if rest, ok := strings.CutPrefix(path, prefix); ok && rest != "" && !strings.Contains(rest, "/") && r.spec.paths[path] == nil {
			keep(prefix+"|"+op.Path[idx[0][2]:idx[0][3]], rest)
		}
	}
}

func queryValue(name string, v any) string {
	s := fmt.Sprint(v)
	return name + "=" + strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", " ", "%20", "#", "%23", ":", "%3A").Replace(s)
}

func encode(v any) []byte {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // generated values always encode
	}
	return b
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
