// Command mklinks creates N links through a running clicktrail link API, as
// bulk jobs of up to 100,000 items (or, with -bulk=false, one request per
// link with -concurrency requests in flight), and writes the files the nginx comparison
// needs: the slugs (one a line, for bench/slugs.lua) and an nginx map body
// ("/slug destination;" lines) that sends each slug where clicktrail does.
//
//	mklinks -api http://127.0.0.1:18081 -key "$KEY" -n 100000 -slugs slugs.txt -nginx-map map.conf
//
// Link i has path "b<i in base 36>" and a destination with no UTM fields, so
// clicktrail's Location is exactly the destination and both servers answer
// byte-identical Location headers. Used by bench/redirect-vs-nginx.sh.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clicktrail/clicktrail/client"
)

type config struct {
	api, key, domain     string
	n, concurrency       int
	slugsPath, nginxPath string
	bulk                 bool
}

func main() {
	var c config
	flag.StringVar(&c.api, "api", "http://127.0.0.1:8081", "link API base URL")
	flag.StringVar(&c.key, "key", "", "API key (required)")
	flag.StringVar(&c.domain, "domain", "", "domain of the links (empty: the node's default domain)")
	flag.IntVar(&c.n, "n", 100_000, "links to create")
	flag.IntVar(&c.concurrency, "concurrency", 32, "requests in flight (-bulk=false)")
	flag.BoolVar(&c.bulk, "bulk", true, "create the links through POST /v1/links/bulk jobs")
	flag.StringVar(&c.slugsPath, "slugs", "", "write the slugs here, one a line (required)")
	flag.StringVar(&c.nginxPath, "nginx-map", "", "write nginx map entries here (optional)")
	flag.Parse()
	if err := c.validate(); err != nil {
		log.Fatal(err)
	}
	start := time.Now()
	create := create
	if c.bulk {
		create = createBulk
	}
	if err := create(c); err != nil {
		log.Fatal(err)
	}
	took := time.Since(start)
	fmt.Printf("created %d links in %s (%.0f links/s)\n", c.n, took.Round(time.Millisecond), float64(c.n)/took.Seconds())
	if err := writeFiles(c); err != nil {
		log.Fatal(err)
	}
}

func (c config) validate() error {
	var errs []error
	if c.key == "" {
		errs = append(errs, errors.New("-key: required"))
	}
	if c.slugsPath == "" {
		errs = append(errs, errors.New("-slugs: required"))
	}
	if c.n <= 0 {
		errs = append(errs, fmt.Errorf("-n: must be positive, got %d", c.n))
	}
	if c.concurrency <= 0 {
		errs = append(errs, fmt.Errorf("-concurrency: must be positive, got %d", c.concurrency))
	}
	return errors.Join(errs...)
}

func slug(i int) string        { return "b" + strconv.FormatInt(int64(i), 36) }
func destination(i int) string { return "https://shop.example.com/landing?item=" + strconv.Itoa(i) }

// newClient returns a client of the API with hc.
func newClient(c config, hc *http.Client) (*client.Client, error) {
	return client.New(c.api, c.key, client.WithHTTPClient(hc))
}

// create posts the links from c.concurrency goroutines and stops at the
// first failure.
func create(c config) error {
	cl, err := newClient(c, &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: c.concurrency},
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range c.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= c.n {
					return
				}
				req := client.CreateLinkRequest{Path: slug(i), DestinationURL: destination(i), Domain: c.domain}
				if _, err := cl.CreateLink(ctx, req); err != nil {
					cancel(fmt.Errorf("create link %s: %w", slug(i), err))
				}
			}
		}()
	}
	wg.Wait()
	return context.Cause(ctx)
}

// createBulk posts the links as jobs of up to 100,000 items and waits
// until every job has processed them; an item that already exists (a
// rerun on kept data) counts as done.
func createBulk(c config) error {
	cl, err := newClient(c, &http.Client{Timeout: 5 * time.Minute})
	if err != nil {
		return err
	}
	ctx := context.Background()
	var jobs []string
	for first := 0; first < c.n; first += client.MaxBulkItems {
		items := make([]client.BulkItem, 0, client.MaxBulkItems)
		for i := first; i < min(first+client.MaxBulkItems, c.n); i++ {
			items = append(items, client.BulkItem{IdempotencyKey: "mklinks-" + slug(i),
				CreateLinkRequest: client.CreateLinkRequest{Path: slug(i), DestinationURL: destination(i), Domain: c.domain}})
		}
		raw, err := client.EncodeBulkItems(items)
		if err != nil {
			return err
		}
		job, err := cl.CreateBulkJob(ctx, client.BulkJobRequest{OnConflict: "error", Items: raw})
		if err != nil {
			return err
		}
		jobs = append(jobs, job.ID)
	}
	for _, id := range jobs {
		j, err := cl.WaitJob(ctx, id, 200*time.Millisecond)
		if err != nil {
			return err
		}
		if j.Status == client.JobFailed || j.Failed > 0 {
			return fmt.Errorf("job %s: %s, %d of %d items failed: %+v", id, j.Status, j.Failed, j.Total, j.Errors)
		}
	}
	return nil
}

func writeFiles(c config) error {
	if err := writeLines(c.slugsPath, c.n, func(w *bufio.Writer, i int) {
		fmt.Fprintf(w, "%s\n", slug(i))
	}); err != nil {
		return err
	}
	if c.nginxPath == "" {
		return nil
	}
	return writeLines(c.nginxPath, c.n, func(w *bufio.Writer, i int) {
		fmt.Fprintf(w, "/%s %s;\n", slug(i), destination(i))
	})
}

func writeLines(path string, n int, line func(*bufio.Writer, int)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for i := range n {
		line(w, i)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
