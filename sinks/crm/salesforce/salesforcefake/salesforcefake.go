// Package salesforcefake is a local Salesforce org for tests: an httptest
// server answering the calls package salesforce makes, with the shapes of
// Salesforce's documentation:
//
//   - PATCH /services/data/vXX.X/composite/sobjects/<object>/<external id
//     field>: {"allOrNone","records":[{"attributes":{"type"},...}]} upserts
//     up to 200 records by the external id and answers 200 with one
//     {"id","success","created","errors":[{"statusCode","message","fields"}]}
//     per record, in order; a record of another type than the URI's, or a
//     field the object lacks, fails alone (INVALID_FIELD); more than 200
//     records or a malformed body is a 400
//     (https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html);
//   - POST /services/oauth2/token, grant_type=refresh_token with the
//     refresh token and client id, answers {"access_token","instance_url",
//     "token_type":"Bearer","issued_at","signature"}; a wrong one answers
//     400 {"error":"invalid_grant","error_description":"expired access/refresh token"}
//     (https://help.salesforce.com/apex/HTViewHelpDoc?id=remoteaccess_oauth_refresh_token_flow.htm,
//     https://developer.salesforce.com/docs/atlas.en-us.222.0.api_rest.meta/api/intro_understanding_refresh_token_oauth.htm);
//   - an expired access token answers 401
//     [{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}];
//     the spent daily quota 403 REQUEST_LIMIT_EXCEEDED.
//
// Duplicates: two records with one external id value in one call fail
// with DUPLICATE_EXTERNAL_ID, as Salesforce answers. Faults (crmfake)
// inject 5xx, 429 with Retry-After, 409, slow and hanging answers.
package salesforcefake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/clicktrail/clicktrail/sinks/crm/crmfake"
)

// Server is the fake.
type Server struct {
	*httptest.Server
	crmfake.Faults

	mu                  sync.Mutex
	access              string
	refresh, clientID   string
	fields              map[string][]string // object -> fields it has
	records             map[string]map[string]map[string]any
	nextID              int
	refreshes, upserted int
}

// New starts a fake org whose Contact, Lead and Task have the given
// custom fields (plus their standard ones), accepting access token access
// and the refresh token flow with refresh and clientID.
func New(access, refresh, clientID string, custom ...string) *Server {
	s := &Server{access: access, refresh: refresh, clientID: clientID, records: map[string]map[string]map[string]any{},
		fields: map[string][]string{
			"Contact": append([]string{"LastName", "FirstName", "Description"}, custom...),
			"Lead":    append([]string{"LastName", "Company", "Description"}, custom...),
			"Task":    append([]string{"WhoId", "Subject", "Status", "ActivityDate", "Description", "Priority"}, custom...),
		}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /services/oauth2/token", s.token)
	mux.HandleFunc("PATCH /services/data/{version}/composite/sobjects/{object}/{field}", s.upsert)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Intercept(w, r) {
			return
		}
		if !strings.HasPrefix(r.URL.Path, "/services/oauth2/") {
			s.mu.Lock()
			ok := s.access != "" && r.Header.Get("Authorization") == "Bearer "+s.access
			s.mu.Unlock()
			if !ok {
				sfError(w, 401, "INVALID_SESSION_ID", "Session expired or invalid")
				return
			}
		}
		mux.ServeHTTP(w, r)
	}))
	return s
}

// ExpireToken makes the current access token answer 401.
func (s *Server) ExpireToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access = ""
}

// AddRecord stores a record of object and returns its id.
func (s *Server) AddRecord(object string, fields map[string]any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addLocked(object, fields)
}

func (s *Server) addLocked(object string, fields map[string]any) string {
	s.nextID++
	prefix := map[string]string{"Contact": "003", "Lead": "00Q", "Task": "00T"}[object]
	id := fmt.Sprintf("%s%015d", prefix, s.nextID)
	if s.records[object] == nil {
		s.records[object] = map[string]map[string]any{}
	}
	rec := map[string]any{"Id": id}
	for k, v := range fields {
		rec[k] = v
	}
	s.records[object][id] = rec
	return id
}

// Records returns the records of object.
func (s *Server) Records(object string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, r := range s.records[object] {
		out = append(out, r)
	}
	return out
}

// Refreshes returns how many tokens the refresh flow issued.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}

// RequestLimitExceeded is the answer of an org whose daily API quota is spent.
func RequestLimitExceeded() crmfake.Fault {
	return crmfake.Fault{Status: 403, Body: `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`}
}

func sfError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode([]map[string]string{{"message": msg, "errorCode": code}})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		w.WriteHeader(400)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.PostForm.Get("grant_type") != "refresh_token" || r.PostForm.Get("refresh_token") != s.refresh || r.PostForm.Get("client_id") != s.clientID {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		w.Write([]byte(`{"error":"invalid_grant","error_description":"expired access/refresh token"}`))
		return
	}
	s.refreshes++
	s.access = fmt.Sprintf("00Dfake!access-%d", s.refreshes)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"access_token": s.access, "instance_url": s.URL,
		"token_type": "Bearer", "issued_at": "1700000000000", "signature": "fake", "id": s.URL + "/id/00D/005"})
}

type result struct {
	ID      string     `json:"id,omitempty"`
	Success bool       `json:"success"`
	Created bool       `json:"created,omitempty"`
	Errors  []sfDetail `json:"errors"`
}

type sfDetail struct {
	StatusCode string   `json:"statusCode"`
	Message    string   `json:"message"`
	Fields     []string `json:"fields"`
}

func (s *Server) upsert(w http.ResponseWriter, r *http.Request) {
	object, field := r.PathValue("object"), r.PathValue("field")
	var body struct {
		AllOrNone bool             `json:"allOrNone"`
		Records   []map[string]any `json:"records"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		sfError(w, 400, "JSON_PARSER_ERROR", err.Error())
		return
	}
	if len(body.Records) > 200 {
		sfError(w, 400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records into this call")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	known, ok := s.fields[object]
	if !ok || !contains(known, field) {
		sfError(w, 404, "NOT_FOUND", "Provided external ID field does not exist or is not accessible: "+field)
		return
	}
	seen := map[string]bool{}
	out := make([]result, len(body.Records))
	for i, rec := range body.Records {
		out[i] = s.upsertOne(object, field, known, rec, seen)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func (s *Server) upsertOne(object, field string, known []string, rec map[string]any, seen map[string]bool) result {
	attrs, _ := rec["attributes"].(map[string]any)
	if attrs == nil || attrs["type"] != object {
		return result{Errors: []sfDetail{{"INVALID_TYPE", "attributes.type must be " + object, nil}}}
	}
	key, _ := rec[field].(string)
	if key == "" {
		return result{Errors: []sfDetail{{"MISSING_ARGUMENT", field + " not specified", []string{field}}}}
	}
	if seen[key] {
		return result{Errors: []sfDetail{{"DUPLICATE_EXTERNAL_ID", "Duplicate external id specified: " + key, []string{field}}}}
	}
	seen[key] = true
	fields := map[string]any{}
	for k, v := range rec {
		if k == "attributes" {
			continue
		}
		if !contains(known, k) {
			return result{Errors: []sfDetail{{"INVALID_FIELD", fmt.Sprintf("No such column '%s' on sobject of type %s", k, object), []string{k}}}}
		}
		fields[k] = v
	}
	s.upserted++
	for id, r := range s.records[object] {
		if r[field] == key {
			for k, v := range fields {
				r[k] = v
			}
			return result{ID: id, Success: true, Errors: []sfDetail{}}
		}
	}
	if object != "Task" && fields["LastName"] == nil {
		return result{Errors: []sfDetail{{"REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", []string{"LastName"}}}}
	}
	return result{ID: s.addLocked(object, fields), Success: true, Created: true, Errors: []sfDetail{}}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
