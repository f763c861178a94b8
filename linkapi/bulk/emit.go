package bulk

import (
	"sync"
	"sync/atomic"

	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/redirect"
)

// emitWorkers is how many link.created callbacks run at once. The
// callbacks typically append to a synced log (the spool): run one at a
// time, each waits for its own fsync and a job creates about a thousand
// links a second; run side by side, their syncs are shared (group commit).
const emitWorkers = 64

// emitter reports the links a job created as the link API reports a create (their audit
// records are already in the batch that created them): rounds are handed
// over in order and reported in the background, emitWorkers callbacks at a
// time, while the next round is written. Events of one round may be
// reported in any order.
type emitter struct {
	cfg  *linkapi.APIConfig
	ch   chan []*redirect.Link
	done chan struct{}
}

func newEmitter(cfg *linkapi.APIConfig) *emitter {
	e := &emitter{cfg: cfg, ch: make(chan []*redirect.Link, 4), done: make(chan struct{})}
	go func() {
		defer close(e.done)
		for links := range e.ch {
			e.report(links)
		}
	}()
	return e
}

// emit hands over the links of a round; it blocks while four rounds wait.
func (e *emitter) emit(links []*redirect.Link) {
	if len(links) > 0 && (e.cfg.OnLinkEvent != nil || e.cfg.OnLinkEvents != nil) {
		e.ch <- links
	}
}

// close returns once every handed-over link has been reported.
func (e *emitter) close() {
	close(e.ch)
	<-e.done
}

func (e *emitter) report(links []*redirect.Link) {
	if e.cfg.OnLinkEvents != nil {
		e.cfg.OnLinkEvents(linkapi.EventLinkCreated, links)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(emitWorkers, len(links)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(links); i = int(next.Add(1)) - 1 {
				if e.cfg.OnLinkEvent != nil {
					e.cfg.OnLinkEvent(linkapi.EventLinkCreated, links[i])
				}
			}
		})
	}
	wg.Wait()
}
