// Package pebblekv holds what several pebble stores of clicktrail (link
// store, spool, webhook registry, attribution index, checker state) share:
// the key arithmetic of prefix scans, the bloom filter setting, JSON
// records (PutJSON, GetJSON, ListJSON) and the Probe of many point reads.
package pebblekv

import (
	"errors"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
)

// BloomAllLevels gives every level of o a bloom filter of 10 bits per key
// (about 1% false positives), for stores whose point reads often look for
// keys that are not there: a filter answers those without a data block.
func BloomAllLevels(o *pebble.Options) {
	for i := range o.Levels {
		o.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
}

// PrefixEnd returns the smallest key greater than every key that starts
// with p: the UpperBound of a scan of prefix p. Trailing 0xff bytes are
// dropped before the increment; nil (no upper bound) when p is empty or
// all 0xff. p is not modified.
func PrefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// Get calls decode with the value at key and reports whether key was
// there. The value is valid only during the call (decode copies what it
// keeps); a read error and decode's error are returned as they are.
func Get(r pebble.Reader, key []byte, decode func(v []byte) error) (bool, error) {
	v, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer closer.Close()
	return true, decode(v)
}
