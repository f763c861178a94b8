package bulk

import (
	"encoding/binary"
	"time"

	"github.com/clicktrail/clicktrail/internal/base62"
)

// Bulk link jobs: POST /v1/links/bulk stores a job and its items durably
// and answers 202; a Runner creates the links in the background
// (runner.go); GET /v1/jobs/{id} and /v1/jobs/{id}/items report.
//
// Store keys (store.go):
//
//	"j/<job id>"                       the jobRecord (JSON)
//	"jb/<job id>/<8-byte first index>" a chunk of JobChunkItems raw items,
//	                                   deleted when the job finishes
//	"ji/<job id>/<8-byte index>"       an item's outcome (itemRecord, JSON)
//	"jk/<workspace>/<sha256 of key>"   the link an item idempotency key created
//
// An item's outcome, the links a round creates, their audit records, their
// idempotency keys and the job's counters are written in one pebble batch
// (Store.createBatch), so a restart resumes exactly where the last batch
// ended: no link is created twice and no item is lost.

// Job statuses.
const (
	JobQueued  = "queued"  // stored, waiting for the runner
	JobRunning = "running" // the runner is creating its links
	// JobSucceeded: every item was processed. Items may still have
	// failed one by one (a bad URL, a taken path): Failed counts them and
	// GET /v1/jobs/{id}/items?status=failed lists them.
	JobSucceeded = "succeeded"
	// JobFailed: the job stopped before processing every item, on an
	// error of the server (Error says which); the items processed so far
	// keep their outcome.
	JobFailed = "failed"
)

// Job item outcomes.
const (
	ItemCreated  = "created"  // the item created LinkID
	ItemExisting = "existing" // its idempotency key had created LinkID before: nothing new
	ItemFailed   = "failed"   // Error says why; nothing was created
)

// Job event types passed to Config.OnJobEvent and sent to callback_url.
const (
	EventJobSucceeded = "job.succeeded"
	EventJobFailed    = "job.failed"
)

// Limits of a bulk job.
const (
	// MaxBulkItems is the most items one POST /v1/links/bulk takes.
	MaxBulkItems = 100_000
	// MaxBulkBodyBytes bounds its body (the other routes take 1 MiB).
	MaxBulkBodyBytes = 64 << 20
	// JobChunkItems is how many raw items one "jb/" record holds.
	JobChunkItems = 1000
	// MaxJobErrors is how many failed items Job.Errors shows.
	MaxJobErrors = 20
)

// Job is a bulk job as the API shows it.
type Job struct {
	ID          string `json:"id"` // "job_" + 16 base62
	WorkspaceID string `json:"workspace_id"`
	Status      string `json:"status"` // JobQueued, JobRunning, JobSucceeded or JobFailed
	Total       int    `json:"total"`
	// Processed = Created + Existing + Failed.
	Processed int `json:"processed"`
	Created   int `json:"created"`
	Existing  int `json:"existing"`
	Failed    int `json:"failed"`
	// Errors are the first MaxJobErrors failed items.
	Errors []JobItem `json:"errors,omitempty"`
	// Error says why a failed job stopped.
	Error       string     `json:"error,omitempty"`
	CallbackURL string     `json:"callback_url,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
}

// Done reports whether the job has finished (succeeded or failed).
func (j *Job) Done() bool { return j.Status == JobSucceeded || j.Status == JobFailed }

// JobItem is the outcome of one item of a job.
type JobItem struct {
	Index    int           `json:"index"`
	Status   string        `json:"status"` // ItemCreated, ItemExisting or ItemFailed
	LinkID   string        `json:"link_id,omitempty"`
	ShortURL string        `json:"short_url,omitempty"`
	Error    *JobItemError `json:"error,omitempty"`
}

// JobItemError is why an item failed: the error POST /v1/links would have
// answered for it, with the field named "items[<index>].<field>".
type JobItemError struct {
	Code       string `json:"code"`
	Field      string `json:"field,omitempty"`
	Message    string `json:"message"`
	ExistingID string `json:"existing_id,omitempty"`
	Rule       string `json:"rule,omitempty"`
}

// jobRecord is a job as stored: the Job and what the runner needs.
type jobRecord struct {
	Job
	// SealedCallbackSecret is the secret that signs the callback
	// ("whsec_..."), shown once, in the 202 answer, and stored sealed
	// (with the link API's seal ring; see callbackSecret). Records written before sealing
	// hold it in the clear, which callbackSecret still reads.
	SealedCallbackSecret string `json:"callback_secret,omitempty"`
	// CallbackPending is set when the job finishes with a callback_url
	// and cleared once the callback is delivered or given up.
	CallbackPending bool `json:"callback_pending,omitempty"`
	// OnConflict is the body's default for items that give none.
	OnConflict string `json:"on_conflict,omitempty"`
	// The principal the items are created as.
	KeyID      string   `json:"key_id"`
	Scopes     []string `json:"scopes"`
	RemoteAddr string   `json:"remote_addr,omitempty"`
}

// itemRecord is an item's outcome as stored.
type itemRecord struct {
	Status string        `json:"s"`
	LinkID string        `json:"l,omitempty"`
	Domain string        `json:"d,omitempty"`
	Path   string        `json:"p,omitempty"`
	Error  *JobItemError `json:"e,omitempty"`
}

// keyRecord is what an item idempotency key created.
type keyRecord struct {
	LinkID string `json:"l"`
	Domain string `json:"d"`
	Path   string `json:"p"`
}

const (
	jobPrefix      = "j/"
	jobChunkPrefix = "jb/"
	jobItemPrefix  = "ji/"
	jobKeyPrefix   = "jk/"
)

// NewJobID returns a new random job id.
func NewJobID() string { return "job_" + base62.Random(16) }

func validJobID(id string) bool { return len(id) == 20 && id[:4] == "job_" && base62.All(id[4:]) }

func jobKey(id string) []byte { return append([]byte(jobPrefix), id...) }

func jobChunkKey(id string, first int) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(jobChunkPrefix+id), '/'), uint64(first))
}

func jobItemKey(id string, index int) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(jobItemPrefix+id), '/'), uint64(index))
}

func jobKeyKey(workspace string, keyHash []byte) []byte {
	return append(append([]byte(jobKeyPrefix+workspace), '/'), keyHash...)
}
