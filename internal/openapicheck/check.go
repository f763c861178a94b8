package openapicheck

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Failure is one disagreement between an answer and the document.
type Failure struct {
	Op      string // "POST /v1/links"
	Case    string // what was sent
	Problem string // what disagreed
	Status  int
	Body    string // the start of the answer's body
}

func (f Failure) String() string {
	return fmt.Sprintf("%s [%s]: %s (answered %d %s)", f.Op, f.Case, f.Problem, f.Status, f.Body)
}

// kind is a failure's class, for counting distinct disagreements: the
// operation and the problem without the case.
func (f Failure) kind() string { return f.Op + ": " + f.Problem }

// expect is what a case requires beyond conformance.
type expect int

const (
	expectAny      expect = iota // any documented status
	expect4xx                    // a client error: the request is invalid
	expect401                    // no or a bad key
	expect422                    // a reused Idempotency-Key
	expectReplayed               // the same status as the first send, replayed
)

// check compares one answer with the operation's documentation.
func (r *runner) check(op *Operation, name string, resp *http.Response, body []byte, want expect) {
	fail := func(problem string) {
		b := string(body)
		if len(b) > 160 {
			b = b[:160] + "..."
		}
		r.report.add(Failure{Op: op.Method + " " + op.Path, Case: name, Problem: problem, Status: resp.StatusCode, Body: strings.TrimSpace(b)})
	}
	status := resp.StatusCode
	switch want {
	case expect4xx:
		if status < 400 || status >= 500 {
			fail("an invalid request was not refused with a 4xx")
		}
	case expect401:
		if status != http.StatusUnauthorized {
			fail("a request without a valid key was not answered 401")
		}
	case expect422:
		if status != http.StatusUnprocessableEntity {
			fail("a reused Idempotency-Key was not answered 422")
		}
	}
	if status >= 500 && status != http.StatusNotImplemented && status != http.StatusServiceUnavailable {
		fail("server error " + strconv.Itoa(status))
	}
	doc, ok := op.Responses[status]
	if !ok {
		fail(fmt.Sprintf("status %d is not documented (documented: %v)", status, documentedStatuses(op)))
		return
	}
	ct := resp.Header.Get("Content-Type")
	if len(doc.Media) == 0 {
		if len(bytes.TrimSpace(body)) > 0 {
			fail(fmt.Sprintf("status %d is documented without a body, got %q", status, ct))
		}
		return
	}
	media, _, _ := mime.ParseMediaType(ct)
	sch, ok := doc.Media[media]
	if !ok {
		fail(fmt.Sprintf("status %d: Content-Type %q is not documented (%v)", status, ct, slices.Sorted(mapKeys(doc.Media))))
		return
	}
	if sch == nil { // binary
		return
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		fail(fmt.Sprintf("status %d: the body is not JSON: %v", status, err))
		return
	}
	if err := sch.Validate(v); err != nil {
		fail(fmt.Sprintf("status %d: the body does not match its schema: %s", status, schemaError(err)))
	}
}

// schemaError is the leaves of a validation error, one line.
func schemaError(err error) string {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return err.Error()
	}
	var leaves []string
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			leaves = append(leaves, "at /"+strings.Join(e.InstanceLocation, "/")+": "+e.ErrorKind.LocalizedString(printer))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.Strings(leaves)
	return strings.Join(slices.Compact(leaves), "; ")
}

func documentedStatuses(op *Operation) []int { return slices.Sorted(mapKeys(op.Responses)) }

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

var printer = message.NewPrinter(language.English)
