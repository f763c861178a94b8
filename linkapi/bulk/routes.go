package bulk

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/webhooksig"
)

// Routes returns the job routes to serve as part of the link API
// (linkapi.APIConfig.Routes): POST /v1/links/bulk, GET /v1/jobs/{id} and
// GET /v1/jobs/{id}/items. api is the link API's configuration, cfg the
// jobs' (cfg.Runner runs the posted jobs).
func Routes(api linkapi.APIConfig, cfg Config) ([]linkapi.Route, error) {
	j, err := newJobs(api, cfg)
	if err != nil {
		return nil, fmt.Errorf("bulk job routes config: %w", err)
	}
	return []linkapi.Route{
		{
			Method: "POST", Pattern: "/v1/links/bulk",
			Summary: "Create up to 100,000 links as an asynchronous job. Each item is a body of POST /v1/links with an optional " +
				"idempotency_key (an item whose key the workspace used before creates nothing and reports that link); a bad item " +
				"fails alone. 202 with the job (Location /v1/jobs/{id}) once it is durable, and callback_secret, shown this once " +
				"(a replay has secret_withheld instead), " +
				"which signs the call of callback_url when the job finishes",
			Request: bulkRequest{}, Required: []string{"items"}, MaxBody: MaxBulkBodyBytes,
			Response: createdJobResponse{}, Status: http.StatusAccepted,
			Errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusServiceUnavailable},
			Scope:  tenancy.ScopeLinksWrite, Handle: j.createJob, Facts: facts,
		},
		{
			Method: "GET", Pattern: "/v1/jobs/{id}",
			Summary: "A bulk job: status (queued, running, succeeded once every item was processed, failed when the server " +
				"could not go on), counts of created, existing and failed items, and the first errors",
			Response: Job{}, Status: http.StatusOK,
			Errors: []int{http.StatusNotFound},
			Scope:  tenancy.ScopeLinksRead, Handle: j.getJob, Facts: facts,
		},
		{
			Method: "GET", Pattern: "/v1/jobs/{id}/items",
			Summary:  "The outcomes of a job's processed items in index order",
			Query:    jobItemsQuery,
			Response: jobItemsResponse{}, Status: http.StatusOK,
			Errors: []int{http.StatusBadRequest, http.StatusNotFound},
			Scope:  tenancy.ScopeLinksRead, Handle: j.listJobItems, Facts: facts,
			QueryFacts: map[string]map[string]any{"status": {"enum": itemStatuses}},
		},
	}, nil
}

// facts are what the Go types cannot tell the OpenAPI document (see
// linkapi.Route.Facts).
var facts = map[string]map[string]map[string]any{
	"BulkRequest": {
		"callback_url": {"format": "uri"},
		"on_conflict":  {"enum": []string{linkapi.OnConflictError, linkapi.OnConflictSuffix}},
	},
	"Job":                {"status": {"enum": jobStatuses}, "callback_url": {"format": "uri"}},
	"CreatedJobResponse": {"status": {"enum": jobStatuses}, "callback_url": {"format": "uri"}},
	"JobItem":            {"status": {"enum": itemStatuses}, "short_url": {"format": "uri"}},
}

var (
	jobStatuses  = []string{JobQueued, JobRunning, JobSucceeded, JobFailed}
	itemStatuses = []string{ItemCreated, ItemExisting, ItemFailed}
)

// CodeJobsDisabled (503): the job routes have no runner (Config.Runner).
const CodeJobsDisabled = "jobs_disabled"

// createdJobResponse is the 202 answer of POST /v1/links/bulk.
type createdJobResponse struct {
	Job
	// CallbackSecret verifies the callback (webhooksig.Verify); shown in
	// the first answer only: a replay leaves it out and sets
	// SecretWithheld.
	CallbackSecret string `json:"callback_secret,omitempty"`
	// SecretWithheld is true in a replay of a job with a callback, which
	// never repeats the secret (ADR 007).
	SecretWithheld bool `json:"secret_withheld,omitempty"`
}

type jobItemsResponse struct {
	Items      []JobItem `json:"items"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// principal returns the request's principal. Every route of the link API
// has one; a request without one (a bug) acts as nobody in an empty
// workspace, as the link API's own handlers do.
func principal(r *http.Request) *linkapi.Principal {
	if p, ok := linkapi.PrincipalFrom(r.Context()); ok {
		return p
	}
	return &linkapi.Principal{WorkspaceID: "\x00none"}
}

func (j *jobs) createJob(w http.ResponseWriter, r *http.Request) {
	runner := j.cfg.Runner
	if runner == nil {
		linkapi.WriteError(w, linkapi.NewError(http.StatusServiceUnavailable, CodeJobsDisabled,
			"this server runs no bulk jobs; create links one by one with POST /v1/links"))
		return
	}
	body, aerr := readBulkBody(w, r)
	if aerr != nil {
		linkapi.WriteError(w, aerr)
		return
	}
	req, aerr := decodeBulk(body)
	if aerr != nil {
		linkapi.WriteError(w, aerr)
		return
	}
	if req.CallbackURL != "" {
		if req.CallbackURL, aerr = j.checkCallbackURL(r.Context(), req.CallbackURL); aerr != nil {
			linkapi.WriteError(w, aerr)
			return
		}
	}
	p := principal(r)
	rec := &jobRecord{
		Job: Job{ID: NewJobID(), WorkspaceID: p.WorkspaceID, Status: JobQueued, Total: len(req.Items),
			CallbackURL: req.CallbackURL, CreatedAt: j.api.Now().UTC()},
		OnConflict: req.OnConflict, KeyID: p.KeyID, Scopes: p.Scopes, RemoteAddr: p.RemoteAddr,
	}
	var secret string
	if req.CallbackURL != "" {
		secret = webhooksig.NewSecret()
		rec.SealedCallbackSecret = j.secrets.Seal(secret, callbackSealContext(rec.ID))
	}
	items := make([][]byte, len(req.Items))
	for i, it := range req.Items {
		items[i] = it
	}
	if err := j.store.createJob(r.Context(), rec, items); err != nil {
		linkapi.WriteError(w, j.create.Internal("store job", err))
		return
	}
	runner.enqueue(rec.ID)
	w.Header().Set("Location", "/v1/jobs/"+rec.ID)
	linkapi.ShownOnce(w, "callback_secret")
	linkapi.WriteJSON(w, http.StatusAccepted, createdJobResponse{Job: rec.Job, CallbackSecret: secret})
}

// loadJob returns the job the route's {id} names, 404 when it is another
// workspace's.
func (j *jobs) loadJob(r *http.Request) (*jobRecord, *linkapi.APIError) {
	rec, err := j.store.getJob(r.Context(), r.PathValue("id"))
	if errors.Is(err, ErrJobNotFound) || (err == nil && rec.WorkspaceID != principal(r).WorkspaceID) {
		return nil, linkapi.NewError(http.StatusNotFound, linkapi.CodeNotFound, "no job with this id")
	}
	if err != nil {
		return nil, j.create.Internal("get job", err)
	}
	return rec, nil
}

func (j *jobs) getJob(w http.ResponseWriter, r *http.Request) {
	rec, aerr := j.loadJob(r)
	if aerr != nil {
		linkapi.WriteError(w, aerr)
		return
	}
	linkapi.WriteJSON(w, http.StatusOK, rec.Job)
}

// jobItemsQuery are the query parameters of GET /v1/jobs/{id}/items.
var jobItemsQuery = []linkapi.MountedQueryParam{
	{Name: "status", Type: "string", Description: "Only items with this outcome: created, existing or failed."},
	{Name: "limit", Type: "integer", Description: "Page size, 1-1000 (default 50)."},
	{Name: "cursor", Type: "string", Description: "The next_cursor of the previous page."},
}

var jobItemParams = map[string]bool{"status": true, "limit": true, "cursor": true}

func (j *jobs) listJobItems(w http.ResponseWriter, r *http.Request) {
	rec, aerr := j.loadJob(r)
	if aerr != nil {
		linkapi.WriteError(w, aerr)
		return
	}
	q := r.URL.Query()
	if aerr := linkapi.CheckQuery(q, jobItemParams); aerr != nil {
		linkapi.WriteError(w, aerr)
		return
	}
	status := q.Get("status")
	switch status {
	case "", ItemCreated, ItemExisting, ItemFailed:
	default:
		linkapi.WriteError(w, linkapi.BadRequest(linkapi.CodeInvalidField, "status", "want created, existing or failed"))
		return
	}
	limit, from := redirect.DefaultListLimit, 0
	if s := q.Get("limit"); s != "" {
		n, err := linkapi.ParseLimit(s)
		if err != nil {
			linkapi.WriteError(w, linkapi.BadRequest(linkapi.CodeInvalidField, "limit", err.Error()))
			return
		}
		limit = n
	}
	if s := q.Get("cursor"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n >= rec.Total {
			linkapi.WriteError(w, linkapi.BadRequest(linkapi.CodeInvalidField, "cursor", "want a next_cursor of a previous page"))
			return
		}
		from = n
	}
	items, recs, next, err := j.store.jobItems(r.Context(), rec.ID, from, limit, status, redirect.MaxListScan)
	if err != nil {
		linkapi.WriteError(w, j.create.Internal("list job items", err))
		return
	}
	resp := jobItemsResponse{Items: items}
	if resp.Items == nil {
		resp.Items = []JobItem{}
	}
	for i := range items {
		if recs[i].Path != "" {
			items[i].ShortURL = j.create.ShortURL(recs[i].Domain, recs[i].Path)
		}
	}
	if next >= 0 {
		resp.NextCursor = strconv.Itoa(next)
	}
	linkapi.WriteJSON(w, http.StatusOK, resp)
}
