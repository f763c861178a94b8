package redirect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/internal/pebblelog"
	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// StoreOptions configure a Store. The zero value is usable.
type StoreOptions struct {
	// CacheEntries bounds the in-memory link cache (links and remembered
	// misses) in front of pebble. Default 100,000: at roughly 1 KiB per cached
	// link that is about 100 MiB, enough for the links that take nearly all
	// of the traffic.
	CacheEntries int
	// BlockCacheBytes sizes pebble's block cache, which holds the sstable
	// blocks of links that fell out of the link cache. Default 64 MiB (pebble
	// alone defaults to 8 MiB). Every level also gets a 10-bit-per-key bloom
	// filter (about 1% false positives), so a lookup of an unknown slug reads
	// filter blocks, not data blocks; except in L6, where most keys end up,
	// whose filters pebble's point reads skip (bulk jobs read through a
	// probe that uses them: see pebblekv.Probe).
	BlockCacheBytes int64
	// FS is the filesystem pebble uses; nil means the operating system's.
	// Tests pass vfs.NewMem() or vfs.NewCrashableMem().
	FS vfs.FS
	// MemTableBytes sizes each of pebble's memtables. Default 64 MiB (pebble
	// alone defaults to 4 MiB): bulk jobs write about 1 KiB per link, and
	// small memtables flush into many small L0 tables that are compacted
	// again and again. Up to four memtables may be in memory at once (one
	// filling, three flushing); pebble starts with a 256 KiB memtable and
	// doubles it up to this size only as writes come, so an idle store
	// stays small. pebble counts memtable memory against its block cache,
	// so the store sizes the cache BlockCacheBytes plus four memtables:
	// memtables alone would otherwise evict every block.
	MemTableBytes int64
	// Logger receives pebble's errors (its routine lines at debug level); nil
	// discards.
	Logger *slog.Logger
}

// Defaults of StoreOptions.
const (
	DefaultCacheEntries    = 100_000
	DefaultBlockCacheBytes = 64 << 20
	DefaultMemTableBytes   = 64 << 20
)

// memTables is how many memtables may be in memory at once
// (pebble.Options.MemTableStopWritesThreshold).
const memTables = 4

func (o StoreOptions) withDefaults() StoreOptions {
	if o.CacheEntries == 0 {
		o.CacheEntries = DefaultCacheEntries
	}
	if o.BlockCacheBytes == 0 {
		o.BlockCacheBytes = DefaultBlockCacheBytes
	}
	if o.MemTableBytes == 0 {
		o.MemTableBytes = DefaultMemTableBytes
	}
	return o
}

// Validate reports every bad option at once, naming each.
func (o StoreOptions) Validate() error {
	var errs []error
	if o.CacheEntries < 0 {
		errs = append(errs, fmt.Errorf("CacheEntries: must be >= 0 (0 means %d), got %d", DefaultCacheEntries, o.CacheEntries))
	}
	if o.BlockCacheBytes < 0 {
		errs = append(errs, fmt.Errorf("BlockCacheBytes: must be >= 0 (0 means %d), got %d", DefaultBlockCacheBytes, o.BlockCacheBytes))
	}
	if o.MemTableBytes != 0 && (o.MemTableBytes < 1<<20 || o.MemTableBytes > 1<<30) {
		errs = append(errs, fmt.Errorf("MemTableBytes: must be 0 (%d) or from 1 MiB to 1 GiB, got %d", DefaultMemTableBytes, o.MemTableBytes))
	}
	return errors.Join(errs...)
}

// Store keeps links in pebble on local disk, with an in-memory cache for the
// redirect path. It is safe for concurrent use.
//
// Keys: "r/<domain>/<path>" holds the link (the redirect lookup key; a domain
// never contains '/'), "i/<id>" holds the link's "r/" key. The value of an
// "r/" key is a format byte (1) and the link as JSON. "x/<workspace>/<external
// id>" holds the id of the link with that ExternalID (external.go); "ls/"
// keys the replica's offsets in the links topic (replica.go).
//
// The link API keeps its records in the same pebble database (DB), under
// prefixes of their own: "k/" and "kx/" idempotency records
// (linkapi/idempotency), "w/", "ak/" and "d/" workspaces, API keys and
// domains (linkapi/tenancy), "au/" the audit log (linkapi/audit), "tp/" UTM
// templates (linkapi/templates), "j/", "jb/", "ji/" and "jk/" bulk jobs,
// their raw item chunks, item outcomes and item idempotency keys
// (linkapi/bulk, store.go).
type Store struct {
	db    *pebble.DB
	cache *linkCache
	log   *slog.Logger

	// mu serializes the check-then-write of Create, Put and Apply; see write.
	mu        sync.Mutex
	closeOnce sync.Once
}

// OpenStore opens or creates the store in dir.
func OpenStore(dir string, opts StoreOptions) (*Store, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("open link store: %w", err)
	}
	opts = opts.withDefaults()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	// The cache also holds the memtables' reservations (see MemTableBytes).
	cache := pebble.NewCache(opts.BlockCacheBytes + memTables*opts.MemTableBytes)
	defer cache.Unref() // the DB holds its own reference
	po := &pebble.Options{
		Cache:                       cache,
		FormatMajorVersion:          pebble.FormatNewest,
		Logger:                      pebblelog.New(log),
		FS:                          opts.FS,
		MemTableSize:                uint64(opts.MemTableBytes),
		MemTableStopWritesThreshold: memTables,
		// Link ids, key hashes and most paths are random: every L0 table
		// overlaps the whole base level, so each L0 compaction rewrites
		// it. A base level of up to 1 GiB lets L0 compact straight into L6
		// until the store outgrows it, instead of through L4 and L5 (each a
		// rewrite too), and waiting for 8 L0 sublevels rather than 4 makes
		// those compactions half as many (16 measured no better). With the
		// 64 MiB memtables, compaction fell from about 60 to 15 us per link
		// in bench/bulk-load.sh (measured together, not one by one). More
		// L0 sublevels before writes stop give a compaction of that size
		// the time to finish while jobs keep writing; reads pay little for
		// them, as every level has bloom filters.
		LBaseMaxBytes:         1 << 30,
		L0CompactionThreshold: 8,
		L0StopWritesThreshold: 32,
	}
	pebblekv.BloomAllLevels(po)
	db, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("open link store %s: %w", dir, err)
	}
	return &Store{db: db, cache: newLinkCache(opts.CacheEntries), log: log}, nil
}

// DB is the pebble database under the store, for the link API's records
// that live beside the links (see Store for their key prefixes). Write only
// under a prefix of your own: the link keys ("r/", "i/", "x/") change only
// through the Store's methods, which keep them and the cache consistent.
func (s *Store) DB() *pebble.DB { return s.db }

// Close closes the store. Stop the API and the redirector first: pebble
// panics on use after close. Calls after the first return nil.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		if err = s.db.Close(); err != nil {
			err = fmt.Errorf("close link store: %w", err)
		}
	})
	return err
}

// Get returns the link with the given id, or ErrNotFound. The caller owns the
// returned link.
func (s *Store) Get(ctx context.Context, id string) (*Link, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get link %s: %w", id, err)
	}
	if !ValidLinkID(id) {
		return nil, fmt.Errorf("get link %.40q: %w", id, ErrNotFound)
	}
	rk, err := s.read(indexKey(id))
	if err == nil && rk != nil {
		var l *Link
		if l, err = s.readLink(rk); err == nil && l != nil && l.ID == id {
			return l, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("get link %s: %w", id, err)
	}
	return nil, fmt.Errorf("get link %s: %w", id, ErrNotFound)
}

// Lookup returns the link served at domain/path, from the cache when it is
// there. It is the redirect hot path. Disabled and expired links are
// returned too: the caller decides what they mean. The returned link is
// shared with the cache and must not be modified. Read errors are logged and reported as a
// miss.
func (s *Store) Lookup(domain, path string) (*Link, bool) {
	e := s.lookup(domain, path)
	return e.link, e.link != nil
}

// lookup returns the cache entry for domain/path, filling it from pebble on a
// miss. It never returns nil: unknown links get the shared missing entry.
func (s *Store) lookup(domain, path string) *entry {
	k := cacheKey{domain, path}
	e, gen := s.cache.get(k)
	if e != nil {
		return e
	}
	l, err := s.readLink(recordKey(domain, path))
	if err != nil {
		s.log.Error("link store: lookup", "domain", domain, "path", path, "err", err)
		return missing
	}
	e = missing
	if l != nil {
		if e, err = newEntry(l); err != nil {
			s.log.Error("link store: stored link is unusable", "link_id", l.ID, "err", err)
			return missing
		}
	}
	s.cache.fill(cacheKey{strings.Clone(domain), strings.Clone(path)}, e, gen)
	return e
}

// read returns a copy of the value at key, or nil when it is absent.
func (s *Store) read(key []byte) (out []byte, err error) {
	_, err = pebblekv.Get(s.db, key, func(v []byte) error {
		out = append([]byte(nil), v...)
		return nil
	})
	return out, err
}

// readLink returns the link stored at record key rk, or nil when absent.
func (s *Store) readLink(rk []byte) (*Link, error) {
	v, err := s.read(rk)
	if err != nil || v == nil {
		return nil, err
	}
	l, err := decodeLink(v)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rk, err)
	}
	return l, nil
}

// NextFreePath returns the first of base-2, base-3, ... that no link holds
// on domain. It reads only the keys that start with base-. The answer can be
// taken by a concurrent writer before it is used: Create it and, on
// ErrPathTaken, ask again.
func (s *Store) NextFreePath(ctx context.Context, domain, base string) (string, error) {
	prefix := recordKey(domain, base+"-")
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(string(prefix))})
	if err != nil {
		return "", fmt.Errorf("next free path for %s/%s: %w", domain, base, err)
	}
	defer it.Close()
	taken := map[int]bool{}
	for valid := it.First(); valid; valid = it.Next() {
		suffix := string(it.Key()[len(prefix):])
		if n, err := strconv.Atoi(suffix); err == nil && n >= 2 && strconv.Itoa(n) == suffix {
			taken[n] = true
		}
	}
	if err := it.Error(); err != nil {
		return "", fmt.Errorf("next free path for %s/%s: %w", domain, base, err)
	}
	n := 2
	for taken[n] {
		n++
	}
	return base + "-" + strconv.Itoa(n), nil
}
