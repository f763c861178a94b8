package bulk

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/audit"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/cockroachdb/pebble/v2"
)

// chunkRun creates the links of one chunk of a job.
//
// Steps: every item without an outcome is decoded and checked in parallel
// (linkapi.Creator.Decode: the decoding, workspace, domain and template
// rules of POST /v1/links, with the job's memo of templates and domains;
// then the destination rule with the job's DNS memo). Then rounds: each round
// looks up the item idempotency keys of the items still pending (claim:
// one probe, keys in order) and is one Store.createBatch of the items to
// create, whose batch also carries the outcomes decided in the round, the
// item idempotency keys, the audit records and the job's counters (values
// written by the append encoders of encode.go). An item
// that lost its path and may pick another (a generated path, or on_conflict
// "suffix") stays pending for the next round, as POST /v1/links retries;
// so does the second of two items with the same idempotency key, which
// then finds the first's link (or, if the first failed, tries itself).
type chunkRun struct {
	r   *Runner
	rec *jobRecord // its Job is rewritten by each round (the counters)
	// id, total, workspace and onConflict are rec's, copied at the start:
	// prepareChunk runs for the next chunk while this chunk's rounds
	// rewrite rec.Job, so the preparing goroutines must not read rec.
	id, workspace, onConflict string
	total                     int
	ctx                       context.Context
	p                         *linkapi.Principal // the job's: the items are created as it
	// rule is the URL rule of the job's links: the server's
	// DestinationPolicy with a per-job lookup memo, and the workspace's host
	// lists as they were when the job started.
	rule *linkapi.LinkRule
	em   *emitter
	// scratch is the buffer record encodes values into.
	scratch []byte
}

// chunkItem is one item of a chunk in flight.
type chunkItem struct {
	index int
	d     linkapi.NewLink
	key   string // item idempotency key, "" for none
	kh    []byte // its hash
	base  string // the path asked for, for suffix retries
	tries int
	out   *itemRecord // the outcome, once decided
}

// rounds writes prepared items until each has an outcome.
func (c *chunkRun) rounds(items []*chunkItem) error {
	var pending []*chunkItem
	var decided []*chunkItem
	for _, it := range items {
		if it.out != nil {
			decided = append(decided, it)
		} else {
			pending = append(pending, it)
		}
	}
	for len(pending) > 0 || len(decided) > 0 {
		var err error
		if pending, decided, err = c.round(pending, decided); err != nil {
			return err
		}
	}
	return nil
}

// prepare decodes and checks the items of the chunk from first (raw)
// that have no outcome.
func (c *chunkRun) prepare(first int, raw [][]byte, done []bool) []*chunkItem {
	items := make([]*chunkItem, 0, len(raw))
	for i := range raw {
		if !done[i] {
			items = append(items, &chunkItem{index: first + i})
		}
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), len(items)/64))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(items); i += workers {
				c.prepareOne(items[i], raw[items[i].index-first])
			}
		})
	}
	wg.Wait()
	return items
}

func (c *chunkRun) prepareOne(it *chunkItem, raw []byte) {
	body, key, aerr := splitItemKey(raw)
	if aerr == nil {
		it.d, aerr = c.r.j.create.Decode(c.ctx, c.workspace, body)
	}
	if aerr == nil && it.d.OnConflict == "" {
		it.d.OnConflict = c.onConflict
	}
	if aerr == nil {
		aerr = c.rule.Check(c.ctx, it.d.Link)
	}
	if aerr != nil {
		it.out = c.failure(it.index, aerr)
		return
	}
	if key != "" {
		h := sha256.Sum256([]byte(key))
		it.key, it.kh = key, h[:]
	}
	it.base = it.d.Link.Path
}

// failure is the outcome of item index failing with aerr.
func (c *chunkRun) failure(index int, aerr *linkapi.APIError) *itemRecord {
	field := "items[" + strconv.Itoa(index) + "]"
	if aerr.Field != "" {
		field += "." + aerr.Field
	}
	return &itemRecord{Status: ItemFailed, Error: &JobItemError{Code: aerr.Code, Field: field, Message: aerr.Message,
		ExistingID: aerr.ExistingID, Rule: aerr.Rule}}
}

// round writes one batch: the links of pending items (one per idempotency
// key) with the outcomes of decided items. It returns the items still
// pending and none decided.
func (c *chunkRun) round(pending, decided []*chunkItem) ([]*chunkItem, []*chunkItem, error) {
	s := c.r.j.api.Store
	batch, later, decided, err := c.claim(pending, decided)
	if err != nil {
		return nil, nil, err
	}
	links := make([]*redirect.Link, len(batch))
	for i, it := range batch {
		links[i] = it.d.Link
	}
	next := c.rec.Job // the counters as they will be if the batch commits
	next.Errors = append([]JobItem(nil), c.rec.Errors...)
	var retry []*chunkItem
	extra := func(b *pebble.Batch, errs []error) error {
		retry = retry[:0]
		for i, it := range batch {
			if c.retryable(it, errs[i]) {
				retry = append(retry, it)
				continue
			}
			it.out = c.outcome(it, errs[i])
		}
		now := c.r.j.api.Now().UTC()
		for _, group := range [][]*chunkItem{batch, decided} {
			for _, it := range group {
				if it.out == nil {
					continue
				}
				if err := c.record(b, &next, it, now); err != nil {
					return err
				}
			}
		}
		v, err := json.Marshal(&jobRecord{Job: next, SealedCallbackSecret: c.rec.SealedCallbackSecret, OnConflict: c.rec.OnConflict,
			KeyID: c.rec.KeyID, Scopes: c.rec.Scopes, RemoteAddr: c.rec.RemoteAddr})
		if err != nil {
			return err
		}
		return b.Set(jobKey(c.rec.ID), v, nil)
	}
	// The links' ids are the decoder's (NewLinkID), never stored: a link
	// retried after losing its path stored nothing.
	errs, err := s.CreateBatch(c.ctx, links, redirect.BatchOptions{FreshIDs: true, Extra: extra})
	if err != nil {
		for _, it := range batch { // undecided again: the batch did not commit
			it.out = nil
		}
		return nil, nil, fmt.Errorf("job %s: %w", c.rec.ID, err)
	}
	c.rec.Job = next
	created := make([]*redirect.Link, 0, len(batch))
	for i, it := range batch {
		if errs[i] == nil {
			created = append(created, it.d.Link)
		}
	}
	c.em.emit(created)
	for _, it := range retry {
		if err := c.repath(it, later); err != nil {
			return nil, nil, err
		}
		later = append(later, it)
	}
	return later, nil, nil
}

// claim splits pending items: the ones to create in this round (at most
// one per idempotency key), the ones whose key already created a link
// (decided now, as ItemExisting) and the ones to try in a later round.
func (c *chunkRun) claim(pending, decided []*chunkItem) (batch, later, _ []*chunkItem, _ error) {
	// The runner alone writes item keys, in its rounds: a probe made now
	// sees every key of the rounds before this one.
	pr, err := pebblekv.NewProbe(c.r.j.api.Store.DB())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("job %s: %w", c.rec.ID, err)
	}
	defer pr.Close()
	ws := c.rec.WorkspaceID
	var keys [][]byte
	for _, it := range pending {
		if it.key != "" {
			keys = append(keys, jobKeyKey(ws, it.kh))
		}
	}
	found, err := pr.GetAll(keys)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("job %s: read item idempotency keys: %w", c.rec.ID, err)
	}
	claimed := map[string]bool{}
	for _, it := range pending {
		if it.key == "" {
			batch = append(batch, it)
			continue
		}
		v := found[0]
		found = found[1:]
		switch {
		case claimed[it.key]:
			later = append(later, it)
		case v != nil:
			kr, err := decodeKeyRecord(v)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("job %s: %w", c.rec.ID, err)
			}
			it.out = &itemRecord{Status: ItemExisting, LinkID: kr.LinkID, Domain: kr.Domain, Path: kr.Path}
			decided = append(decided, it)
		default:
			claimed[it.key] = true
			batch = append(batch, it)
		}
	}
	return batch, later, decided, nil
}

// retryable reports whether the item lost its path and may pick another.
func (c *chunkRun) retryable(it *chunkItem, err error) bool {
	if !errors.Is(err, redirect.ErrPathTaken) {
		return false
	}
	it.tries++
	return it.tries < it.d.PathAttempts()
}

// repath gives a retried item its next path: a new random one, or the first
// free suffix of its base path that no other pending item has picked.
func (c *chunkRun) repath(it *chunkItem, others []*chunkItem) error {
	l := it.d.Link
	if it.d.Generated {
		l.Path = redirect.RandomPath()
		return nil
	}
	p, err := c.r.j.api.Store.NextFreePath(c.ctx, l.Domain, it.base)
	if err != nil {
		return fmt.Errorf("job %s: find a free path: %w", c.rec.ID, err)
	}
	n, _ := strconv.Atoi(p[strings.LastIndexByte(p, '-')+1:])
	for taken := true; taken; {
		taken = false
		for _, o := range others {
			if o != it && o.d.Link != nil && o.d.Link.Domain == l.Domain && o.d.Link.Path == p {
				taken, n = true, n+1
				p = it.base + "-" + strconv.Itoa(n)
				break
			}
		}
	}
	l.Path = p
	return nil
}

// outcome is the outcome of creating the item's link with result err.
func (c *chunkRun) outcome(it *chunkItem, err error) *itemRecord {
	l := it.d.Link
	if err == nil {
		return &itemRecord{Status: ItemCreated, LinkID: l.ID, Domain: l.Domain, Path: l.Path}
	}
	return c.failure(it.index, c.r.j.create.CreateError(err, l))
}

// record adds the outcome of it to b and to the job's counters, with the
// item idempotency key and the audit record of a created link.
func (c *chunkRun) record(b *pebble.Batch, job *Job, it *chunkItem, now time.Time) error {
	// b.Set copies key and value into the batch: one scratch buffer
	// serves every value of the round.
	v, err := appendItemRecord(c.scratch[:0], it.out)
	if err != nil {
		return err
	}
	if err := b.Set(jobItemKey(c.rec.ID, it.index), v, nil); err != nil {
		return err
	}
	job.Processed++
	switch it.out.Status {
	case ItemExisting:
		job.Existing++
	case ItemFailed:
		job.Failed++
		if len(job.Errors) < MaxJobErrors {
			job.Errors = append(job.Errors, JobItem{Index: it.index, Status: ItemFailed, Error: it.out.Error})
		}
	case ItemCreated:
		job.Created++
		if it.key != "" {
			v = appendKeyRecord(v[:0], &keyRecord{LinkID: it.out.LinkID, Domain: it.out.Domain, Path: it.out.Path})
			if err := b.Set(jobKeyKey(job.WorkspaceID, it.kh), v, nil); err != nil {
				return err
			}
		}
		rec := &audit.Record{ID: audit.NewID(), At: now, WorkspaceID: job.WorkspaceID, KeyID: c.p.KeyID, RemoteAddr: c.p.RemoteAddr,
			Action: linkapi.EventLinkCreated, TargetType: "link", TargetID: it.out.LinkID}
		if v, err = audit.AppendJSON(v[:0], rec); err != nil {
			return err
		}
		if err := b.Set(audit.Key(rec.WorkspaceID, rec.At, rec.ID), v, nil); err != nil {
			return err
		}
	}
	c.scratch = v
	return nil
}
