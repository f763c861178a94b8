// Package pebblekv holds what several pebble stores of clicktrail (link
// store, spool, webhook registry, attribution index, checker state) share:
// the key arithmetic of prefix scans and the bloom filter setting.
package pebblekv

import (
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
