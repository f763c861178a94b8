package redirect

import (
	"strconv"
	"testing"
)

// TestCacheHoldsItsWholeBound: N keys fit a cache of N entries however
// unevenly they hash over the shards, and more never exceed it.
func TestCacheHoldsItsWholeBound(t *testing.T) {
	for _, n := range []int{1, cacheShards, 1000, 5000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			c := newLinkCache(n)
			e := &entry{}
			for i := range n {
				k := cacheKey{testDomain, "k" + strconv.Itoa(i)}
				_, gen := c.get(k)
				c.fill(k, e, gen)
			}
			for i := range n {
				if got, _ := c.get(cacheKey{testDomain, "k" + strconv.Itoa(i)}); got != e {
					t.Fatalf("key %d of %d not cached", i, n)
				}
			}
			for i := n; i < 2*n; i++ {
				c.set(cacheKey{testDomain, "k" + strconv.Itoa(i)}, e)
			}
			total := 0
			for i := range c.shards {
				total += len(c.shards[i].slots)
			}
			if total > n || c.size.Load() != int64(total) {
				t.Errorf("cache holds %d entries (size %d), bound %d", total, c.size.Load(), n)
			}
		})
	}
}
