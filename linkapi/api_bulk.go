package linkapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/webhooksig"
)

// bulkRoutes serve bulk link jobs (see bulk_job.go).
var bulkRoutes = []apiRoute{
	{
		method: "POST", pattern: "/v1/links/bulk",
		summary: "Create up to 100,000 links as an asynchronous job. Each item is a body of POST /v1/links with an optional " +
			"idempotency_key (an item whose key the workspace used before creates nothing and reports that link); a bad item " +
			"fails alone. 202 with the job (Location /v1/jobs/{id}) once it is durable, and callback_secret, shown this once " +
			"(a replay has secret_withheld instead), " +
			"which signs the call of callback_url when the job finishes",
		request: bulkRequest{}, required: []string{"items"}, maxBody: MaxBulkBodyBytes,
		response: createdJobResponse{}, status: http.StatusAccepted,
		errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusServiceUnavailable},
		scopes: []string{tenancy.ScopeLinksWrite}, handle: (*api).createJob,
	},
	{
		method: "GET", pattern: "/v1/jobs/{id}",
		summary: "A bulk job: status (queued, running, succeeded once every item was processed, failed when the server " +
			"could not go on), counts of created, existing and failed items, and the first errors",
		response: Job{}, status: http.StatusOK,
		errors: []int{http.StatusNotFound},
		scopes: []string{tenancy.ScopeLinksRead}, handle: (*api).getJob,
	},
	{
		method: "GET", pattern: "/v1/jobs/{id}/items",
		summary:  "The outcomes of a job's processed items in index order",
		query:    jobItemsQuery,
		response: jobItemsResponse{}, status: http.StatusOK,
		errors: []int{http.StatusBadRequest, http.StatusNotFound},
		scopes: []string{tenancy.ScopeLinksRead}, handle: (*api).listJobItems,
	},
}

// CodeJobsDisabled (503): this API has no job runner (APIConfig.Jobs.Runner).
const CodeJobsDisabled = "jobs_disabled"

// JobsConfig configures bulk link jobs (APIConfig.Jobs).
type JobsConfig struct {
	// Runner runs the jobs posted to this API: create it with
	// NewJobRunner over the same store. Without one, POST /v1/links/bulk
	// answers 503 jobs_disabled (GET /v1/jobs still works).
	Runner *JobRunner
	// AllowPrivateCallbacks accepts callback_url on loopback and private
	// addresses, for development.
	AllowPrivateCallbacks bool
	// Callback sends a job's completion callback: POST body to url with
	// headers, nil when the receiver answered 2xx. nil means a client
	// with CallbackTimeout that follows no redirects and, unless
	// AllowPrivateCallbacks, connects only to public addresses. An error
	// is retried.
	Callback func(ctx context.Context, url string, headers http.Header, body []byte) error
	// CallbackAttempts is how often a callback is tried; default 5.
	CallbackAttempts int
	// CallbackBackoff is the wait before the second attempt, doubled
	// before each further one; default 1s.
	CallbackBackoff time.Duration
	// CallbackTimeout bounds one attempt; default 10s.
	CallbackTimeout time.Duration
	// OnJobEvent, when set, is called on the runner's goroutine once a
	// job's end is durable, with EventJobSucceeded or EventJobFailed, so
	// that the events can be routed to the workspace's webhooks. It must
	// not keep job and should not block for long.
	OnJobEvent func(eventType string, job *Job)
}

// Defaults of JobsConfig.
const (
	DefaultCallbackAttempts = 5
	DefaultCallbackBackoff  = time.Second
	DefaultCallbackTimeout  = 10 * time.Second
)

// Validate reports every bad field at once, each named with prefix (for
// example "Jobs").
func (c *JobsConfig) Validate(prefix string) error {
	var errs []error
	if c.CallbackAttempts < 0 {
		errs = append(errs, fmt.Errorf("%s.CallbackAttempts: must be >= 0 (0 means %d), got %d", prefix, DefaultCallbackAttempts, c.CallbackAttempts))
	}
	if c.CallbackBackoff < 0 {
		errs = append(errs, fmt.Errorf("%s.CallbackBackoff: must be >= 0 (0 means %s), got %s", prefix, DefaultCallbackBackoff, c.CallbackBackoff))
	}
	if c.CallbackTimeout < 0 {
		errs = append(errs, fmt.Errorf("%s.CallbackTimeout: must be >= 0 (0 means %s), got %s", prefix, DefaultCallbackTimeout, c.CallbackTimeout))
	}
	return errors.Join(errs...)
}

func (c JobsConfig) withDefaults() JobsConfig {
	if c.CallbackAttempts == 0 {
		c.CallbackAttempts = DefaultCallbackAttempts
	}
	if c.CallbackBackoff == 0 {
		c.CallbackBackoff = DefaultCallbackBackoff
	}
	if c.CallbackTimeout == 0 {
		c.CallbackTimeout = DefaultCallbackTimeout
	}
	if c.Callback == nil {
		c.Callback = defaultCallback(c.CallbackTimeout, c.AllowPrivateCallbacks)
	}
	return c
}

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

func (a *api) createJob(w http.ResponseWriter, r *http.Request) {
	runner := a.cfg.Jobs.Runner
	if runner == nil {
		writeError(w, &apiError{status: http.StatusServiceUnavailable, Code: CodeJobsDisabled,
			Message: "this server runs no bulk jobs; create links one by one with POST /v1/links"})
		return
	}
	body, aerr := readBulkBody(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	req, aerr := decodeBulk(body)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if req.CallbackURL != "" {
		if req.CallbackURL, aerr = a.checkCallbackURL(r.Context(), req.CallbackURL); aerr != nil {
			writeError(w, aerr)
			return
		}
	}
	p := principal(r)
	rec := &jobRecord{
		Job: Job{ID: NewJobID(), WorkspaceID: p.WorkspaceID, Status: JobQueued, Total: len(req.Items),
			CallbackURL: req.CallbackURL, CreatedAt: a.cfg.Now().UTC()},
		OnConflict: req.OnConflict, KeyID: p.KeyID, Scopes: p.Scopes, RemoteAddr: p.RemoteAddr,
	}
	var secret string
	if req.CallbackURL != "" {
		secret = webhooksig.NewSecret()
		rec.SealedCallbackSecret = a.secrets.Seal(secret, callbackSealContext(rec.ID))
	}
	items := make([][]byte, len(req.Items))
	for i, it := range req.Items {
		items[i] = it
	}
	if err := a.jobs.createJob(r.Context(), rec, items); err != nil {
		writeError(w, a.internal("store job", err))
		return
	}
	runner.enqueue(rec.ID)
	w.Header().Set("Location", "/v1/jobs/"+rec.ID)
	shownOnce(w, "callback_secret")
	writeJSON(w, http.StatusAccepted, createdJobResponse{Job: rec.Job, CallbackSecret: secret})
}

// loadJob returns the job the route's {id} names, 404 when it is another
// workspace's.
func (a *api) loadJob(r *http.Request) (*jobRecord, *apiError) {
	rec, err := a.jobs.getJob(r.Context(), r.PathValue("id"))
	if errors.Is(err, ErrJobNotFound) || (err == nil && rec.WorkspaceID != principal(r).WorkspaceID) {
		return nil, &apiError{status: http.StatusNotFound, Code: CodeNotFound, Message: "no job with this id"}
	}
	if err != nil {
		return nil, a.internal("get job", err)
	}
	return rec, nil
}

func (a *api) getJob(w http.ResponseWriter, r *http.Request) {
	rec, aerr := a.loadJob(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, rec.Job)
}

// jobItemsQuery are the query parameters of GET /v1/jobs/{id}/items.
var jobItemsQuery = []queryParam{
	{"status", "string", "Only items with this outcome: created, existing or failed."},
	{"limit", "integer", "Page size, 1-1000 (default 50)."},
	{"cursor", "string", "The next_cursor of the previous page."},
}

var jobItemParams = queryNames(jobItemsQuery)

func (a *api) listJobItems(w http.ResponseWriter, r *http.Request) {
	rec, aerr := a.loadJob(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	q := r.URL.Query()
	if aerr := checkQuery(q, jobItemParams); aerr != nil {
		writeError(w, aerr)
		return
	}
	status := q.Get("status")
	switch status {
	case "", ItemCreated, ItemExisting, ItemFailed:
	default:
		writeError(w, badRequest(CodeInvalidField, "status", "want created, existing or failed"))
		return
	}
	limit, from := redirect.DefaultListLimit, 0
	if s := q.Get("limit"); s != "" {
		n, err := parseLimit(s)
		if err != nil {
			writeError(w, badRequest(CodeInvalidField, "limit", err.Error()))
			return
		}
		limit = n
	}
	if s := q.Get("cursor"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n >= rec.Total {
			writeError(w, badRequest(CodeInvalidField, "cursor", "want a next_cursor of a previous page"))
			return
		}
		from = n
	}
	items, recs, next, err := a.jobs.jobItems(r.Context(), rec.ID, from, limit, status, redirect.MaxListScan)
	if err != nil {
		writeError(w, a.internal("list job items", err))
		return
	}
	resp := jobItemsResponse{Items: items}
	if resp.Items == nil {
		resp.Items = []JobItem{}
	}
	for i := range items {
		if recs[i].Path != "" {
			items[i].ShortURL = a.shortURL(recs[i].Domain, recs[i].Path)
		}
	}
	if next >= 0 {
		resp.NextCursor = strconv.Itoa(next)
	}
	writeJSON(w, http.StatusOK, resp)
}

// shortURL is the short_url of domain/path.
func (a *api) shortURL(domain, path string) string {
	return ShortURL(a.cfg.ShortURLScheme, a.cfg.ShortURLBase, domain, path)
}
