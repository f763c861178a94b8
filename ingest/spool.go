package ingest

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clicktrail/clicktrail/internal/pebblelog"
	"github.com/cockroachdb/pebble/v2"
)

var (
	// ErrSpoolFull is returned by Append and Produce when the unconsumed
	// backlog exceeds SpoolOptions.MaxBytes. Policy on the redirect path:
	// the redirect still answers, the click is dropped, counted in
	// SpoolStats.FullDrops and logged at most once per second.
	ErrSpoolFull = errors.New("spool full")
	// ErrSpoolClosed is returned by operations on a closed Spool.
	ErrSpoolClosed = errors.New("spool closed")
)

// Spool is a durable local multi-topic log on pebble: the buffer between a
// redirector and Kafka, and the event log of the embedded mode.
//
// Each topic is a single partition of records numbered by a sequence that
// starts at 0, only grows and survives restarts. Consumer groups read a topic
// from their committed cursor (see Consumer). Records that every group
// registered on a topic has committed are deleted; a topic on which no group
// was ever registered keeps everything, bounded by MaxBytes. A group, once
// registered, stays registered (it holds back trimming) for the life of the
// spool directory.
//
// All methods are safe for concurrent use.
type Spool struct {
	db   *pebble.DB
	opts SpoolOptions
	log  *slog.Logger

	// life guards closed: operations hold it for reading while they use db.
	life    sync.RWMutex
	closed  bool
	closing chan struct{} // closed by Close: wakes waiting consumers

	topicsMu sync.Mutex // serializes topic creation
	topics   sync.Map   // string -> *spoolTopic

	backlog     atomic.Int64 // encoded bytes of records not yet trimmed
	appends     atomic.Int64
	fullDrops   atomic.Int64
	lastFullLog atomic.Int64 // unix ns of the last "spool full" log line

	bufs sync.Pool // *[]byte scratch for encoding entries

	group spoolGroup // SyncInterval mode's pending appends

	syncerStop chan struct{}
	syncerDone chan struct{}
	stopSyncer sync.Once
}

// spoolTopic is the in-memory state of one topic.
type spoolTopic struct {
	name   string
	prefix []byte // recordPrefix(name)

	// mu serializes sequence assignment with the commit to pebble so that
	// records become visible in sequence order: a reader that sees seq n+1
	// also sees seq n, and a cursor can never skip a record.
	mu   sync.Mutex
	next uint64 // the sequence number of the next record

	gmu     sync.Mutex        // guards head, cursors, running
	head    uint64            // records below head are deleted
	cursors map[string]uint64 // group -> next seq to read
	running map[string]bool   // groups with a Run in progress

	tail spoolTail // the latest records, pushed under mu after their commit

	wakers atomic.Pointer[[]chan struct{}] // one per running consumer, copy-on-write under gmu
	trimMu sync.Mutex
}

// OpenSpool opens (creating if needed) the spool in dir and recovers every
// topic's next sequence number, head and group cursors.
func OpenSpool(dir string, opts SpoolOptions) (*Spool, error) {
	opts = opts.WithDefaults()
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("open spool: %w", err)
	}
	db, err := pebble.Open(dir, &pebble.Options{Logger: pebblelog.New(opts.Logger), CacheSize: opts.CacheBytes})
	if err != nil {
		return nil, fmt.Errorf("open spool %s: %w", dir, err)
	}
	s := &Spool{
		db:      db,
		opts:    opts,
		log:     opts.Logger,
		closing: make(chan struct{}),
	}
	if err := s.recover(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open spool %s: %w", dir, err)
	}
	if opts.SyncMode == SyncInterval {
		s.syncerStop = make(chan struct{})
		s.syncerDone = make(chan struct{})
		go s.syncer()
	}
	return s, nil
}

// syncer makes interval-mode appends durable: every FlushInterval it
// commits the pending group as one synced batch. A kill -9 or power loss
// therefore loses at most one interval of appends.
func (s *Spool) syncer() {
	defer close(s.syncerDone)
	t := time.NewTicker(s.opts.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-s.syncerStop:
			return
		case <-t.C:
			if err := s.flushPending(); err != nil && !errors.Is(err, ErrSpoolClosed) {
				s.log.Error("spool: interval flush", "err", err)
			}
		}
	}
}

// syncWAL syncs everything written so far: an empty synced log entry waits
// for the WAL fsync like any synced batch.
func (s *Spool) syncWAL() error { return s.db.LogData(nil, pebble.Sync) }

// Close syncs the WAL and closes the spool. Consumers still running return
// ErrSpoolClosed; stop them first for a clean shutdown.
func (s *Spool) Close() error {
	// The syncer stops first: its flushes take s.life for reading, so it
	// cannot finish while Close holds it.
	s.stopSyncer.Do(func() {
		if s.syncerStop != nil {
			close(s.syncerStop)
			<-s.syncerDone
		}
	})
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.closing)
	errFlush := s.flushGroup() // every Append that returned nil is on disk
	errSync := s.syncWAL()
	errClose := s.db.Close()
	if err := errors.Join(errFlush, errSync, errClose); err != nil {
		return fmt.Errorf("close spool: %w", err)
	}
	return nil
}

// topic returns the state of name, creating the topic (durably) on first use.
func (s *Spool) topic(name string) (*spoolTopic, error) {
	if t, ok := s.topics.Load(name); ok {
		return t.(*spoolTopic), nil
	}
	if err := validName("topic", name); err != nil {
		return nil, err
	}
	s.topicsMu.Lock()
	defer s.topicsMu.Unlock()
	if t, ok := s.topics.Load(name); ok {
		return t.(*spoolTopic), nil
	}
	if err := s.db.Set(topicKey(name), nil, pebble.Sync); err != nil {
		return nil, fmt.Errorf("create topic %q: %w", name, err)
	}
	t := newSpoolTopic(name)
	s.topics.Store(name, t)
	return t, nil
}

func newSpoolTopic(name string) *spoolTopic {
	t := &spoolTopic{
		name:    name,
		prefix:  recordPrefix(name),
		cursors: make(map[string]uint64),
		running: make(map[string]bool),
	}
	t.wakers.Store(&[]chan struct{}{})
	return t
}

// wake tells every running consumer of t that records were appended.
func (t *spoolTopic) wake() {
	for _, c := range *t.wakers.Load() {
		select {
		case c <- struct{}{}:
		default: // already signalled
		}
	}
}
