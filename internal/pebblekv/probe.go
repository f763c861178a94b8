package pebblekv

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"
)

// Probe answers the many point reads of one bulk round (is this path
// taken, this item idempotency key used, this caller-chosen link id) from
// one pebble iterator that consults the bloom filters of every level.
//
// Why not pebble's DB.Get: Get skips the filters of the last
// level, L6 (pebble loads them only for iterators that ask, as L6 filters
// are large), and after a few hundred thousand links nearly every key is
// in L6. Each absent key, which is what a bulk round almost always asks
// about, then costs a data block read, decompression and search; with
// three such reads per link that was a fifth of the CPU of a job. With
// IterOptions.UseL6Filters the same absent key is answered by a filter
// block that stays in the block cache (10 bits per key: about 1.2 MiB per
// million keys). An iterator also takes the store's read state once per
// round instead of once per read.
//
// The store must be opened with filters on every level (BloomAllLevels).
// A probe sees the store as it was when the probe was made (a pebble
// iterator is a snapshot). It is used only where nothing the caller asks
// about can change meanwhile: under the link store's write lock for link keys (every link write
// takes it), and in the job runner for its own item keys (one runner per
// store writes them, between its rounds). Not safe for concurrent use.
type Probe struct {
	it *pebble.Iterator
}

// NewProbe returns a probe of db as it is now. Close it.
func NewProbe(db *pebble.DB) (*Probe, error) {
	it, err := db.NewIter(&pebble.IterOptions{UseL6Filters: true})
	if err != nil {
		return nil, fmt.Errorf("new probe: %w", err)
	}
	return &Probe{it: it}, nil
}

// Get returns the value at key, or nil when key is absent. The value is
// valid until the next call: copy what must outlive it.
func (p *Probe) Get(key []byte) ([]byte, error) {
	// The default comparer's prefix of a key is the whole key, so the
	// prefix seek finds key itself or nothing; the comparison is a guard.
	if !p.it.SeekPrefixGE(key) || !bytes.Equal(p.it.Key(), key) {
		if err := p.it.Error(); err != nil {
			return nil, fmt.Errorf("read %q: %w", key, err)
		}
		return nil, nil
	}
	v, err := p.it.ValueAndErr()
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", key, err)
	}
	if v == nil {
		v = []byte{} // present with an empty value: not absent
	}
	return v, nil
}

// GetAll returns the values at keys, in their order: a copy of each
// value, nil for an absent key.
//
// It seeks in ascending key order, whatever the order of keys: a bulk
// round's keys are random (link ids, key hashes), and seeking them as they
// come makes pebble open another sstable at nearly every seek, where
// sorted seeks move forward through each level's files once.
func (p *Probe) GetAll(keys [][]byte) ([][]byte, error) {
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return bytes.Compare(keys[a], keys[b]) })
	vals := make([][]byte, len(keys))
	for _, i := range order {
		v, err := p.Get(keys[i])
		if err != nil {
			return nil, err
		}
		if v != nil {
			vals[i] = append([]byte{}, v...)
		}
	}
	return vals, nil
}

// Close releases the probe's iterator (and the state it pins).
func (p *Probe) Close() error { return p.it.Close() }
