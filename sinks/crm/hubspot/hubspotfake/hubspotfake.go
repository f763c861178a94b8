// Package hubspotfake is a local HubSpot for tests: an httptest server
// answering the calls package hubspot makes, with the request and answer
// shapes of HubSpot's documentation:
//
//   - POST /crm/v3/objects/contacts/batch/upsert and .../batch/update:
//     {"inputs":[{"id","idProperty","properties"}]} answered
//     {"status":"COMPLETE","results":[{"id","properties","new"}]}
//     (https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/upsert-contacts,
//     https://developers.hubspot.com/docs/api-reference/2026-03/crm/objects/contacts/batch/update-contacts.md);
//   - POST /crm/v3/objects/contacts creating a contact; an id property
//     value already held answers 409 CONFLICT "Contact already exists.
//     Existing ID: <id>" (https://developers.hubspot.com/docs-beta/crm/contacts);
//   - POST /events/v3/send and /events/v3/send/batch: occurrences
//     {"eventName","objectId","occurredAt","properties","uuid"} of defined
//     events, answered 204 without a body
//     (https://developers.hubspot.com/docs/api-reference/legacy/events/send-event-data/batch-send-occurrences,
//     https://developers.hubspot.com/docs/api-reference/legacy/events/send-event-data/guide);
//   - errors as {"status":"error","message","category"}; an expired token
//     401 EXPIRED_AUTHENTICATION; rate limits 429 with errorType
//     RATE_LIMIT, policyName and the X-HubSpot-RateLimit-* headers
//     (https://developers.hubspot.com/changelog/2018-11-06-rate-limit-information-headers-will-be-included-in-http-responses,
//     https://developers.hubspot.com/apps/api_guidelines).
//
// Faults (crmfake) inject 5xx, 429 with Retry-After, 409, slow and
// hanging answers.
package hubspotfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"

	"github.com/clicktrail/clicktrail/sinks/crm/crmfake"
)

// Occurrence is a custom event occurrence the fake holds.
type Occurrence struct {
	EventName  string            `json:"eventName"`
	ObjectID   string            `json:"objectId"`
	OccurredAt string            `json:"occurredAt"`
	Properties map[string]string `json:"properties"`
	UUID       string            `json:"uuid"`
}

// Server is the fake.
type Server struct {
	*httptest.Server
	crmfake.Faults

	mu       sync.Mutex
	token    string
	expired  bool
	events   map[string]bool // defined event names
	contacts map[string]map[string]string
	nextID   int
	occ      []Occurrence
}

// New starts a fake that accepts token and has the custom events named.
func New(token string, events ...string) *Server {
	s := &Server{token: token, events: map[string]bool{}, contacts: map[string]map[string]string{}, nextID: 100}
	for _, e := range events {
		s.events[e] = true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /crm/v3/objects/contacts/batch/upsert", s.upsert)
	mux.HandleFunc("POST /crm/v3/objects/contacts/batch/update", s.update)
	mux.HandleFunc("POST /crm/v3/objects/contacts", s.create)
	mux.HandleFunc("POST /events/v3/send/batch", s.sendBatch)
	mux.HandleFunc("POST /events/v3/send", s.send)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Intercept(w, r) {
			return
		}
		s.mu.Lock()
		ok, expired := r.Header.Get("Authorization") == "Bearer "+s.token, s.expired
		s.mu.Unlock()
		switch {
		case expired:
			fail(w, 401, "EXPIRED_AUTHENTICATION", "The OAuth token used to make this call expired.")
		case !ok:
			fail(w, 401, "INVALID_AUTHENTICATION", "Authentication credentials not found.")
		default:
			mux.ServeHTTP(w, r)
		}
	}))
	return s
}

// Expire makes the token answer 401 as expired.
func (s *Server) Expire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expired = true
}

// AddContact creates a contact and returns its record id.
func (s *Server) AddContact(props map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addLocked(props)
}

func (s *Server) addLocked(props map[string]string) string {
	s.nextID++
	id := strconv.Itoa(s.nextID)
	p := map[string]string{"hs_object_id": id}
	for k, v := range props {
		p[k] = v
	}
	s.contacts[id] = p
	return id
}

// Contact returns a contact's properties.
func (s *Server) Contact(id string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.contacts[id]
}

// Occurrences returns the event occurrences held, in arrival order.
func (s *Server) Occurrences() []Occurrence {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Occurrence(nil), s.occ...)
}

// RateLimited answers a 429 of the ten-second window, with HubSpot's headers.
func RateLimited(retryAfter int) crmfake.Fault {
	h := map[string]string{"X-HubSpot-RateLimit-Interval-Milliseconds": "10000", "X-HubSpot-RateLimit-Max": "100",
		"X-HubSpot-RateLimit-Remaining": "0"}
	if retryAfter > 0 {
		h["Retry-After"] = strconv.Itoa(retryAfter)
	}
	return crmfake.Fault{Status: 429, Header: h,
		Body: `{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING"}`}
}

// DailyLimited answers a 429 of the spent daily quota.
func DailyLimited() crmfake.Fault {
	return crmfake.Fault{Status: 429, Header: map[string]string{"X-HubSpot-RateLimit-Daily": "250000", "X-HubSpot-RateLimit-Daily-Remaining": "0"},
		Body: `{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","policyName":"DAILY"}`}
}

// ServerError answers a 5xx.
func ServerError(status int) crmfake.Fault {
	return crmfake.Fault{Status: status, Body: `{"status":"error","message":"internal error","category":"INTERNAL_ERROR"}`}
}

func fail(w http.ResponseWriter, status int, category, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"status": "error", "message": msg, "category": category, "correlationId": "fake"})
}

type input struct {
	ID         string            `json:"id"`
	IDProperty string            `json:"idProperty"`
	Properties map[string]string `json:"properties"`
}

func decodeInputs[T any](w http.ResponseWriter, r *http.Request) ([]T, bool) {
	var body struct {
		Inputs []T `json:"inputs"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Inputs) == 0 {
		fail(w, 400, "VALIDATION_ERROR", "Invalid input JSON: inputs required")
		return nil, false
	}
	if len(body.Inputs) > 100 && !strings.HasPrefix(r.URL.Path, "/events/") {
		fail(w, 400, "VALIDATION_ERROR", "Batch input too large: at most 100 inputs")
		return nil, false
	}
	return body.Inputs, true
}

type result struct {
	ID         string            `json:"id"`
	Properties map[string]string `json:"properties"`
	New        bool              `json:"new"`
}

func complete(w http.ResponseWriter, rs []result) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"status": "COMPLETE", "results": rs})
}

func (s *Server) upsert(w http.ResponseWriter, r *http.Request) {
	ins, ok := decodeInputs[input](w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var rs []result
	for _, in := range ins {
		if in.IDProperty == "" {
			fail(w, 400, "VALIDATION_ERROR", "idProperty is required for upsert")
			return
		}
		id, isNew := s.findLocked(in.IDProperty, in.ID), false
		if id == "" {
			id, isNew = s.addLocked(map[string]string{in.IDProperty: in.ID}), true
		}
		for k, v := range in.Properties {
			s.contacts[id][k] = v
		}
		rs = append(rs, result{ID: id, Properties: s.contacts[id], New: isNew})
	}
	complete(w, rs)
}

func (s *Server) findLocked(prop, value string) string {
	for id, p := range s.contacts {
		if p[prop] == value {
			return id
		}
	}
	return ""
}

func (s *Server) update(w http.ResponseWriter, r *http.Request) {
	ins, ok := decodeInputs[input](w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var rs []result
	for _, in := range ins {
		c := s.contacts[in.ID]
		if c == nil {
			fail(w, 404, "OBJECT_NOT_FOUND", fmt.Sprintf("Object not found. objectId are usually numeric. Id: %s", in.ID))
			return
		}
		for k, v := range in.Properties {
			c[k] = v
		}
		rs = append(rs, result{ID: in.ID, Properties: c})
	}
	complete(w, rs)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var in input
	if json.NewDecoder(r.Body).Decode(&in) != nil {
		fail(w, 400, "VALIDATION_ERROR", "Invalid input JSON")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := in.Properties["email"]; e != "" {
		if id := s.findLocked("email", e); id != "" {
			fail(w, 409, "CONFLICT", "Contact already exists. Existing ID: "+id)
			return
		}
	}
	id := s.addLocked(in.Properties)
	w.WriteHeader(201)
	json.NewEncoder(w).Encode(result{ID: id, Properties: s.contacts[id], New: true})
}

func (s *Server) accept(o Occurrence) error {
	if !s.events[o.EventName] {
		//lint:ignore ST1005 HubSpot's own message text, which the fake reproduces
		return fmt.Errorf("Event definition %s not found", o.EventName)
	}
	if s.contacts[o.ObjectID] == nil {
		//lint:ignore ST1005 HubSpot's own message text, which the fake reproduces
		return fmt.Errorf("Object %s not found", o.ObjectID)
	}
	return nil
}

func (s *Server) sendBatch(w http.ResponseWriter, r *http.Request) {
	ins, ok := decodeInputs[Occurrence](w, r)
	if !ok {
		return
	}
	if len(ins) > 500 {
		fail(w, 400, "VALIDATION_ERROR", "at most 500 occurrences per batch")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range ins {
		if err := s.accept(o); err != nil {
			fail(w, 400, "VALIDATION_ERROR", err.Error())
			return
		}
	}
	s.occ = append(s.occ, ins...)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	var o Occurrence
	if json.NewDecoder(r.Body).Decode(&o) != nil {
		fail(w, 400, "VALIDATION_ERROR", "Invalid input JSON")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.accept(o); err != nil {
		fail(w, 400, "VALIDATION_ERROR", err.Error())
		return
	}
	s.occ = append(s.occ, o)
	w.WriteHeader(http.StatusNoContent)
}
