package redirect

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// linkCache is the in-memory map in front of pebble on the redirect hot path.
//
// Design: shards of a map guarded by an RWMutex, so concurrent hits only take
// read locks; eviction is CLOCK (a hit sets a reference bit with an atomic
// store, the hand clears bits and evicts the first unreferenced slot), which
// approximates LRU without a write lock on every hit. Misses are cached too
// (entry.link == nil), so floods of unknown slugs do not reach pebble.
//
// Size: the bound is global, not per shard. Hashing spreads N keys over the
// shards unevenly (a few standard deviations apart), so with a per-shard
// bound of N/shards a store of exactly N hot links would keep missing on
// its fuller shards. Shards grow freely while the cache holds fewer than
// max entries; at max, an insert evicts from its own shard (or, when that
// shard holds nothing, is not cached).
//
// Coherence: every store write updates the cache under the store's write
// lock, after its pebble commit, and bumps its shard's generation. A reader
// that missed notes the generation before reading pebble and fills only if it
// is unchanged, so a fill can never reinstate a value older than a write
// that raced with it. (Rejected: invalidate-on-write with unconditional
// fills, which has exactly that race.)
type linkCache struct {
	seed   maphash.Seed
	shards []cacheShard
	size   atomic.Int64 // entries held by all shards
	max    int64
}

type cacheKey struct{ domain, path string }

type cacheShard struct {
	mu    sync.RWMutex
	gen   uint64
	idx   map[cacheKey]int
	slots []cacheSlot
	hand  int
}

type cacheSlot struct {
	key cacheKey
	e   *entry
	ref atomic.Bool
}

const cacheShards = 64

func newLinkCache(entries int) *linkCache {
	entries = max(1, entries)
	c := &linkCache{seed: maphash.MakeSeed(), shards: make([]cacheShard, cacheShards), max: int64(entries)}
	for i := range c.shards {
		c.shards[i].idx = make(map[cacheKey]int, entries/cacheShards)
	}
	return c
}

func (c *linkCache) shard(k cacheKey) *cacheShard {
	return &c.shards[maphash.String(c.seed, k.path)%cacheShards]
}

// get returns the cached entry, or nil and the shard generation to pass to
// fill after reading pebble.
func (c *linkCache) get(k cacheKey) (*entry, uint64) {
	s := c.shard(k)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if i, ok := s.idx[k]; ok {
		sl := &s.slots[i]
		if !sl.ref.Load() {
			sl.ref.Store(true)
		}
		return sl.e, 0
	}
	return nil, s.gen
}

// fill caches e for k unless a write touched the shard since gen was read.
func (c *linkCache) fill(k cacheKey, e *entry, gen uint64) {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen == gen {
		s.put(c, k, e)
	}
}

// set caches e for k on behalf of a store write.
func (c *linkCache) set(k cacheKey, e *entry) {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	s.put(c, k, e)
}

// put caches e for k in s (held for writing), within c's global bound.
func (s *cacheShard) put(c *linkCache, k cacheKey, e *entry) {
	if i, ok := s.idx[k]; ok {
		s.slots[i].e = e
		return
	}
	// A plain load first: once the cache is full (the steady state) no
	// insert touches the shared counter, which every shard would contend on.
	if c.size.Load() < c.max {
		if c.size.Add(1) <= c.max {
			s.slots = append(s.slots, cacheSlot{key: k, e: e})
			s.idx[k] = len(s.slots) - 1
			return
		}
		c.size.Add(-1)
	}
	if len(s.slots) == 0 {
		return // the other shards hold the whole bound: not cached
	}
	for { // CLOCK: terminates within two sweeps, as each pass clears bits.
		i := s.hand
		s.hand = (s.hand + 1) % len(s.slots)
		sl := &s.slots[i]
		if sl.ref.Load() {
			sl.ref.Store(false)
			continue
		}
		delete(s.idx, sl.key)
		s.idx[k] = i
		sl.key, sl.e = k, e
		return
	}
}
