package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// MaxBulkItems is how many items one bulk job takes.
const MaxBulkItems = 100_000

// BulkJobRequest is the body of POST /v1/links/bulk. Each item is a
// CreateLinkRequest body with an optional "idempotency_key", kept as raw
// JSON so that items read from a file reach the server as written (and
// unknown members are refused there); EncodeBulkItems makes them from
// typed items.
type BulkJobRequest struct {
	Items       []json.RawMessage `json:"items"`
	CallbackURL string            `json:"callback_url,omitempty"`
	OnConflict  string            `json:"on_conflict,omitempty"` // default of the items: "error" or "suffix"
}

// BulkItem is one typed item of a bulk job.
type BulkItem struct {
	CreateLinkRequest
	// IdempotencyKey makes a rerun of the item create nothing: the
	// workspace's first use of the key wins.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// EncodeBulkItems encodes items for BulkJobRequest.Items.
func EncodeBulkItems(items []BulkItem) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, len(items))
	for i := range items {
		b, err := json.Marshal(&items[i])
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		out[i] = b
	}
	return out, nil
}

// Job statuses.
const (
	JobQueued    = "queued"
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
)

// Job is a bulk job (GET /v1/jobs/{id}).
type Job struct {
	ID          string     `json:"id"`
	WorkspaceID string     `json:"workspace_id"`
	Status      string     `json:"status"`
	Total       int        `json:"total"`
	Processed   int        `json:"processed"`
	Created     int        `json:"created"`
	Existing    int        `json:"existing"`
	Failed      int        `json:"failed"`
	Error       string     `json:"error,omitempty"`
	Errors      []JobItem  `json:"errors,omitempty"` // the first failed items
	CallbackURL string     `json:"callback_url,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	// CallbackSecret verifies the job's callback; only the answer of
	// CreateBulkJob carries it.
	CallbackSecret string `json:"callback_secret,omitempty"`
}

// Done reports whether the job has finished, well or not.
func (j *Job) Done() bool { return j.Status == JobSucceeded || j.Status == JobFailed }

// JobItem is the outcome of one item of a job.
type JobItem struct {
	Index    int           `json:"index"`
	Status   string        `json:"status"`
	LinkID   string        `json:"link_id,omitempty"`
	ShortURL string        `json:"short_url,omitempty"`
	Error    *JobItemError `json:"error,omitempty"`
}

// JobItemError says why an item failed, in the API's error terms.
type JobItemError struct {
	Code       string `json:"code"`
	Field      string `json:"field,omitempty"`
	Message    string `json:"message"`
	ExistingID string `json:"existing_id,omitempty"`
	Rule       string `json:"rule,omitempty"`
}

// JobItemsOptions filter and page GET /v1/jobs/{id}/items.
type JobItemsOptions struct {
	Status string // e.g. "failed"
	Limit  int    // 1-1000
	Cursor string
}

// JobItemsPage is one page of a job's items in index order.
type JobItemsPage struct {
	Items      []JobItem `json:"items"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// CreateBulkJob posts a bulk job; the answer (202) is the queued job.
func (c *Client) CreateBulkJob(ctx context.Context, req BulkJobRequest, opts ...CallOption) (*Job, error) {
	var j Job
	return &j, c.do(ctx, http.MethodPost, "/v1/links/bulk", req, &j, opts)
}

// GetJob returns a bulk job.
func (c *Client) GetJob(ctx context.Context, id string, opts ...CallOption) (*Job, error) {
	var j Job
	return &j, c.do(ctx, http.MethodGet, "/v1/jobs/"+escape(id), nil, &j, opts)
}

// JobItems returns one page of a job's processed items.
func (c *Client) JobItems(ctx context.Context, id string, o JobItemsOptions, opts ...CallOption) (*JobItemsPage, error) {
	q := url.Values{}
	if o.Status != "" {
		q.Set("status", o.Status)
	}
	if o.Limit != 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Cursor != "" {
		q.Set("cursor", o.Cursor)
	}
	var p JobItemsPage
	return &p, c.do(ctx, http.MethodGet, withQuery("/v1/jobs/"+escape(id)+"/items", q), nil, &p, opts)
}

// WaitJob polls a job every interval until it is done and returns it; it
// gives up, with the job as last seen, when ctx ends.
func (c *Client) WaitJob(ctx context.Context, id string, every time.Duration) (*Job, error) {
	for {
		j, err := c.GetJob(ctx, id)
		if err != nil {
			return nil, err
		}
		if j.Done() {
			return j, nil
		}
		select {
		case <-ctx.Done():
			return j, fmt.Errorf("job %s still %s: %w", id, j.Status, context.Cause(ctx))
		case <-time.After(every):
		}
	}
}
