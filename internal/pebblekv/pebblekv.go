// Package pebblekv holds the key arithmetic every pebble store of
// clicktrail (link store, spool, webhook registry, attribution index)
// needs for prefix scans.
package pebblekv

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
