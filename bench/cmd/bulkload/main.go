// Command bulkload creates links through the bulk job API of a running
// clicktrail and reports how long they took: it posts -links items as jobs
// of -per-job, polls GET /v1/jobs/{id} until every job is done, checks the
// summaries (every item created, none failed), then checks a sample of the
// links through GET /v1/links/{id} and the redirector, and optionally
// reposts the first job to check that its item idempotency keys make it
// create nothing. bench/bulk-load.sh runs it against `clicktrail dev`.
//
// Only loopback targets are accepted: this is a load generator.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/clicktrail/clicktrail/client"
)

type config struct {
	api, redirect, key string
	links, perJob      int
	sample             int
	keys, rerun        bool
	timeout            time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.api, "api", "http://127.0.0.1:8081", "link API base URL (loopback only)")
	flag.StringVar(&c.redirect, "redirect", "http://127.0.0.1:8080", "redirector base URL (loopback only)")
	flag.StringVar(&c.key, "key", "", "API key (links:write and links:read)")
	flag.IntVar(&c.links, "links", 1_000_000, "links to create")
	flag.IntVar(&c.perJob, "per-job", 100_000, "items per bulk job (at most 100,000)")
	flag.IntVar(&c.sample, "sample", 200, "links to check with GET and a redirect afterwards")
	flag.BoolVar(&c.keys, "idempotency-keys", true, "give every item an idempotency_key")
	flag.BoolVar(&c.rerun, "rerun", true, "repost the first job and check it creates nothing (needs -idempotency-keys)")
	flag.DurationVar(&c.timeout, "timeout", 10*time.Minute, "give up after this long")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "bulkload:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	for _, u := range []string{c.api, c.redirect} {
		if err := loopback(u); err != nil {
			return err
		}
	}
	if c.key == "" || c.links < 1 || c.perJob < 1 || c.perJob > 100_000 {
		return errors.New("want -key, -links >= 1 and -per-job from 1 to 100000")
	}
	cl, err := client.New(c.api, c.key, client.WithHTTPClient(&http.Client{Timeout: 5 * time.Minute}))
	if err != nil {
		return err
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)

	// Encode every job's items before the clock starts.
	var bodies []client.BulkJobRequest
	for first := 0; first < c.links; first += c.perJob {
		n := min(c.perJob, c.links-first)
		items, err := jobItems(run, first, n, c.keys)
		if err != nil {
			return err
		}
		bodies = append(bodies, client.BulkJobRequest{Items: items})
	}
	fmt.Printf("bulkload: %d links in %d jobs of up to %d items (%.1f MiB of items)\n", c.links, len(bodies), c.perJob, float64(totalLen(bodies))/(1<<20))

	start := time.Now()
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(c.timeout))
	defer cancel()
	ids := make([]string, len(bodies))
	for i, b := range bodies {
		j, err := cl.CreateBulkJob(ctx, b)
		if err != nil {
			return fmt.Errorf("post job %d: %w", i, err)
		}
		ids[i] = j.ID
	}
	posted := time.Since(start)
	jobs := make([]*client.Job, len(ids))
	for i, id := range ids {
		j, err := cl.WaitJob(ctx, id, 50*time.Millisecond)
		if err != nil {
			return err
		}
		jobs[i] = j
	}
	elapsed := time.Since(start)

	created := 0
	for _, j := range jobs {
		if j.Status != "succeeded" || j.Failed != 0 || j.Created+j.Existing != j.Total {
			return fmt.Errorf("job %s: %s, %d created, %d existing, %d failed of %d (first errors: %+v)", j.ID, j.Status, j.Created, j.Existing, j.Failed, j.Total, j.Errors)
		}
		created += j.Created
	}
	if created != c.links {
		return fmt.Errorf("%d links created, want %d", created, c.links)
	}
	fmt.Printf("bulkload: posted in %.2fs; %d links created in %.2fs: %.0f links/s\n", posted.Seconds(), created, elapsed.Seconds(), float64(created)/elapsed.Seconds())

	if err := checkSample(ctx, c, cl, ids); err != nil {
		return err
	}
	if c.rerun && c.keys {
		j, err := cl.CreateBulkJob(ctx, bodies[0])
		if err != nil {
			return fmt.Errorf("repost job 0: %w", err)
		}
		if j, err := cl.WaitJob(ctx, j.ID, 50*time.Millisecond); err != nil {
			return err
		} else if j.Created != 0 || j.Existing != j.Total {
			return fmt.Errorf("rerun of job 0 created %d links, %d existing of %d: want none created", j.Created, j.Existing, j.Total)
		}
		fmt.Printf("bulkload: rerun of job 0 (%d items): 0 created, all existing\n", min(c.perJob, c.links))
	}
	return nil
}

// jobItems are the bulk items first..first+n.
func jobItems(run string, first, n int, keys bool) ([]json.RawMessage, error) {
	items := make([]client.BulkItem, n)
	for k := range items {
		i := first + k
		items[k].CreateLinkRequest = client.CreateLinkRequest{DestinationURL: fmt.Sprintf("https://shop.example.com/p/%d?src=bulk", i),
			Path: fmt.Sprintf("b%s-%d", run, i), Tags: []string{"bulk"}}
		if keys {
			items[k].IdempotencyKey = fmt.Sprintf("bulk-%s-%d", run, i)
		}
	}
	return client.EncodeBulkItems(items)
}

func totalLen(bodies []client.BulkJobRequest) int {
	n := 0
	for _, b := range bodies {
		for _, it := range b.Items {
			n += len(it)
		}
	}
	return n
}

// checkSample reads items of the jobs and checks that their links answer
// GET /v1/links/{id} and redirect to their destination.
func checkSample(ctx context.Context, c config, cl *client.Client, ids []string) error {
	noFollow := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	checked := 0
	per := max(1, c.sample/len(ids))
	for _, id := range ids {
		page, err := cl.JobItems(ctx, id, client.JobItemsOptions{Limit: min(per, 1000)})
		if err != nil {
			return err
		}
		for _, it := range page.Items {
			l, err := cl.GetLink(ctx, it.LinkID)
			if err != nil {
				return fmt.Errorf("job %s item %d: %w", id, it.Index, err)
			}
			resp, err := noFollow.Get(c.redirect + "/" + l.Path)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode/100 != 3 || resp.Header.Get("Location") != l.DestinationURL {
				return fmt.Errorf("redirect /%s: %s to %q, want %s", l.Path, resp.Status, resp.Header.Get("Location"), l.DestinationURL)
			}
			checked++
		}
	}
	fmt.Printf("bulkload: %d sampled links answer GET /v1/links/{id} and redirect to their destination\n", checked)
	return nil
}

// loopback refuses any base URL that is not on this machine's loopback.
func loopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q: want a base URL", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s: only loopback targets are allowed", raw)
	}
	return nil
}
