// Package pipedrivefake is a local Pipedrive company for tests: an
// httptest server answering the calls package pipedrive makes, with the
// shapes of Pipedrive's documentation:
//
//   - GET /v1/persons/search?term&fields=custom_fields&exact_match=true
//     answers {"success":true,"data":{"items":[{"result_score","item":{"id","name",...}}]}}
//     (https://developers.pipedrive.com/docs/api/v1/Persons#searchPersons);
//   - POST /v1/persons and PUT /v1/persons/{id}, POST /v1/activities
//     (subject, type, done, due_date, due_time, person_id, note, ...)
//     answer {"success":true,"data":{"id",...}}
//     (https://developers.pipedrive.com/docs/api/v1/Activities#addActivity);
//   - the API token in the x-api-token header (or api_token in the query);
//     a wrong one answers 401 {"success":false,"error":"unauthorized access","errorCode":401}
//     (https://pipedrive.readme.io/docs/core-api-concepts-authentication);
//   - rate limits: 429 with x-ratelimit-limit, x-ratelimit-remaining,
//     x-ratelimit-reset (seconds) and x-daily-requests-left
//     (https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting).
//
// Faults (crmfake) inject 5xx, 429 with Retry-After, 409, slow and
// hanging answers.
package pipedrivefake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"

	"github.com/clicktrail/clicktrail/sinks/crm/crmfake"
)

// Server is the fake.
type Server struct {
	*httptest.Server
	crmfake.Faults

	mu         sync.Mutex
	token      string
	persons    map[int64]map[string]any
	activities []map[string]any
	nextID     int64
}

// New starts a fake that accepts token.
func New(token string) *Server {
	s := &Server{token: token, persons: map[int64]map[string]any{}, nextID: 1000}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/persons/search", s.search)
	mux.HandleFunc("POST /v1/persons", s.addPerson)
	mux.HandleFunc("PUT /v1/persons/{id}", s.updatePerson)
	mux.HandleFunc("POST /v1/activities", s.addActivity)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Intercept(w, r) {
			return
		}
		tok := r.Header.Get("X-Api-Token")
		if tok == "" {
			tok = r.URL.Query().Get("api_token")
		}
		s.mu.Lock()
		ok := tok == s.token
		s.mu.Unlock()
		if !ok {
			fail(w, 401, "unauthorized access")
			return
		}
		w.Header().Set("X-Ratelimit-Limit", "80")
		w.Header().Set("X-Ratelimit-Remaining", "79")
		w.Header().Set("X-Ratelimit-Reset", "2")
		mux.ServeHTTP(w, r)
	}))
	return s
}

// SetToken changes the token the fake accepts (the old one answers 401).
func (s *Server) SetToken(t string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = t
}

// AddPerson stores a person and returns its id.
func (s *Server) AddPerson(fields map[string]any) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addLocked(fields)
}

func (s *Server) addLocked(fields map[string]any) int64 {
	s.nextID++
	p := map[string]any{"id": s.nextID}
	for k, v := range fields {
		p[k] = v
	}
	s.persons[s.nextID] = p
	return s.nextID
}

// Persons returns the persons held.
func (s *Server) Persons() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, p := range s.persons {
		out = append(out, p)
	}
	return out
}

// Activities returns the activities held, in arrival order.
func (s *Server) Activities() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.activities...)
}

// RateLimited answers a 429 of the rolling window, resetting in reset seconds.
func RateLimited(reset int) crmfake.Fault {
	return crmfake.Fault{Status: 429, Header: map[string]string{"X-Ratelimit-Limit": "80", "X-Ratelimit-Remaining": "0",
		"X-Ratelimit-Reset": strconv.Itoa(reset)}, Body: `{"success":false,"error":"Request over limit","errorCode":429}`}
}

// DailyBudgetSpent answers a 429 of the spent daily token budget.
func DailyBudgetSpent() crmfake.Fault {
	return crmfake.Fault{Status: 429, Header: map[string]string{"X-Daily-Requests-Left": "0"},
		Body: `{"success":false,"error":"Daily request limit reached","errorCode":429}`}
}

func fail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"success": false, "error": msg, "errorCode": status, "error_info": "Please check developers.pipedrive.com"})
}

func ok(w http.ResponseWriter, status int, data any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"success": true, "data": data})
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	term := q.Get("term")
	if term == "" || (len(term) < 2 && q.Get("exact_match") != "true") {
		fail(w, 400, "term must be at least 2 characters long")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	items := []any{}
	for _, p := range s.persons {
		for k, v := range p {
			if k != "id" && k != "name" && v == term {
				items = append(items, map[string]any{"result_score": 1, "item": map[string]any{"id": p["id"], "name": p["name"], "type": "person"}})
				break
			}
		}
	}
	ok(w, 200, map[string]any{"items": items})
}

func decode(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	var m map[string]any
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		fail(w, 400, "invalid JSON body")
		return nil, false
	}
	return m, true
}

func (s *Server) addPerson(w http.ResponseWriter, r *http.Request) {
	m, good := decode(w, r)
	if !good {
		return
	}
	if m["name"] == nil || m["name"] == "" {
		fail(w, 400, "Name must be given.")
		return
	}
	s.mu.Lock()
	id := s.addLocked(m)
	p := s.persons[id]
	s.mu.Unlock()
	ok(w, 201, p)
}

func (s *Server) updatePerson(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	m, good := decode(w, r)
	if !good {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.persons[id]
	if p == nil {
		fail(w, 404, "Person not found")
		return
	}
	for k, v := range m {
		p[k] = v
	}
	ok(w, 200, p)
}

func (s *Server) addActivity(w http.ResponseWriter, r *http.Request) {
	m, good := decode(w, r)
	if !good {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if pid, _ := m["person_id"].(float64); s.persons[int64(pid)] == nil {
		fail(w, 400, "Person not found")
		return
	}
	s.nextID++
	m["id"] = s.nextID
	s.activities = append(s.activities, m)
	ok(w, 201, m)
}
