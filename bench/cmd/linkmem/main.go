// Command linkmem measures what a redirect node's link store costs at a
// given size: it fills a redirect.Store in a temp dir with N links through
// Store.Create (the API's write path: validated, synced, group-committed
// across -workers writers), reopens it as a restarted node would, and
// reports the fill rate, resident memory and Go heap, pebble's size on disk,
// and Lookup latency with a warm link cache and for lookups spread over all N
// links.
//
//	go run ./bench/cmd/linkmem -n 1000000
//
// It is a measurement tool for the issue notes, not part of the test run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clicktrail/clicktrail/redirect"
)

const domain = "go.brand.test"

func main() {
	n := flag.Int("n", 1_000_000, "links to create")
	workers := flag.Int("workers", 64, "concurrent writers (they share WAL syncs)")
	lookups := flag.Int("lookups", 1_000_000, "lookups per latency measurement")
	dir := flag.String("dir", "", "store directory (default: a new temp dir, removed at exit)")
	flag.Parse()
	if err := run(*n, *workers, *lookups, *dir); err != nil {
		log.Fatal(err)
	}
}

func run(n, workers, lookups int, dir string) error {
	if n <= 0 || workers <= 0 || lookups <= 0 {
		return errors.New("-n, -workers and -lookups must be positive")
	}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "linkmem-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	fmt.Printf("links=%d workers=%d dir=%s GOMAXPROCS=%d\n", n, workers, dir, runtime.GOMAXPROCS(0))

	st, err := redirect.OpenStore(dir, redirect.StoreOptions{})
	if err != nil {
		return err
	}
	start := time.Now()
	if err := fill(st, n, workers); err != nil {
		st.Close()
		return err
	}
	took := time.Since(start)
	fmt.Printf("fill: %d links in %s (%.0f links/s)\n", n, took.Round(time.Millisecond), float64(n)/took.Seconds())
	report("after fill", dir)
	if err := st.Close(); err != nil {
		return err
	}

	// A restarted node: the cache starts empty and pebble has flushed.
	st, err = redirect.OpenStore(dir, redirect.StoreOptions{})
	if err != nil {
		return err
	}
	defer st.Close()
	report("after reopen", dir)

	hot := min(n, redirect.DefaultCacheEntries/2) // fits the link cache
	for i := range hot {
		mustLookup(st, i)
	}
	measure("lookup, warm link cache", st, lookups, hot)
	report("after warm lookups", dir)
	measure(fmt.Sprintf("lookup, uniform over all %d links", n), st, lookups, n)
	report("after uniform lookups", dir)
	return nil
}

// link returns the i-th benchmark link: a realistic campaign link (about
// 350 bytes stored).
func link(i int) *redirect.Link {
	now := time.Now().UTC()
	l := &redirect.Link{
		WorkspaceID:    redirect.DefaultWorkspaceID,
		Domain:         domain,
		Path:           slug(i),
		DestinationURL: "https://shop.example.com/landing/spring-sale?item=" + strconv.Itoa(i),
		Metadata:       map[string]string{"contact_id": "hs_" + strconv.Itoa(i)},
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	l.UTM.Source, l.UTM.Medium, l.UTM.Campaign = "newsletter", "email", "spring"
	return l
}

func slug(i int) string { return "s" + strconv.FormatInt(int64(i), 36) }

func fill(st *redirect.Store, n, workers int) error {
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := st.Create(context.Background(), link(i)); err != nil {
					errs[w] = fmt.Errorf("link %d: %w", i, err)
					return
				}
				if done := i + 1; done%(max(1, n/10)) == 0 {
					fmt.Printf("  created %d of %d links (%s)\n", done, n, time.Since(start).Round(time.Second))
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func mustLookup(st *redirect.Store, i int) {
	if _, ok := st.Lookup(domain, slug(i)); !ok {
		log.Fatalf("lookup %s: not found", slug(i))
	}
}

// measure times lookups of random links among the first span, one at a
// time on one goroutine, and prints the mean and percentiles. Each sample
// includes about 30ns of clock reads.
func measure(what string, st *redirect.Store, lookups, span int) {
	r := rand.New(rand.NewPCG(1, 2))
	keys := make([]string, lookups)
	for i := range keys {
		keys[i] = slug(r.IntN(span))
	}
	lat := make([]time.Duration, lookups)
	start := time.Now()
	for i, k := range keys {
		t0 := time.Now()
		if _, ok := st.Lookup(domain, k); !ok {
			log.Fatalf("lookup %s: not found", k)
		}
		lat[i] = time.Since(t0)
	}
	total := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Printf("%s: %d lookups, mean %s, p50 %s, p99 %s, p99.9 %s, max %s\n", what, lookups,
		total/time.Duration(lookups), pct(0.50), pct(0.99), pct(0.999), lat[len(lat)-1])
}

// report prints resident memory, Go heap and the store's size on disk.
func report(when, dir string) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, hwm := procStatus("VmRSS"), procStatus("VmHWM")
	fmt.Printf("%s: RSS %s (peak %s), Go heap in use %s, Go sys %s, pebble on disk %s\n", when,
		rss, hwm, mib(ms.HeapInuse), mib(ms.Sys), mib(dirSize(dir)))
}

func procStatus(field string) string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return "n/a"
			}
			return mib(kb << 10)
		}
	}
	return "n/a"
}

func dirSize(dir string) uint64 {
	var total uint64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			total += uint64(info.Size())
		}
		return nil
	})
	return total
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
