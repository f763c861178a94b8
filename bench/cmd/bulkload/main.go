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
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"
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
	cl := &client{api: c.api, key: c.key, http: &http.Client{Timeout: 5 * time.Minute}}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)

	// Encode every job body before the clock starts.
	var bodies [][]byte
	for first := 0; first < c.links; first += c.perJob {
		n := min(c.perJob, c.links-first)
		bodies = append(bodies, jobBody(run, first, n, c.keys))
	}
	fmt.Printf("bulkload: %d links in %d jobs of up to %d items (%.1f MiB of bodies)\n", c.links, len(bodies), c.perJob, float64(totalLen(bodies))/(1<<20))

	start := time.Now()
	deadline := start.Add(c.timeout)
	ids := make([]string, len(bodies))
	for i, b := range bodies {
		var j job
		if err := cl.do("POST", "/v1/links/bulk", b, http.StatusAccepted, &j); err != nil {
			return fmt.Errorf("post job %d: %w", i, err)
		}
		ids[i] = j.ID
	}
	posted := time.Since(start)
	jobs := make([]job, len(ids))
	for i, id := range ids {
		j, err := cl.wait(id, deadline)
		if err != nil {
			return err
		}
		jobs[i] = j
	}
	elapsed := time.Since(start)

	created := 0
	for _, j := range jobs {
		if j.Status != "succeeded" || j.Failed != 0 || j.Created+j.Existing != j.Total {
			return fmt.Errorf("job %s: %s, %d created, %d existing, %d failed of %d (first errors: %s)", j.ID, j.Status, j.Created, j.Existing, j.Failed, j.Total, j.Errors)
		}
		created += j.Created
	}
	if created != c.links {
		return fmt.Errorf("%d links created, want %d", created, c.links)
	}
	fmt.Printf("bulkload: posted in %.2fs; %d links created in %.2fs: %.0f links/s\n", posted.Seconds(), created, elapsed.Seconds(), float64(created)/elapsed.Seconds())

	if err := checkSample(c, cl, ids); err != nil {
		return err
	}
	if c.rerun && c.keys {
		var j job
		if err := cl.do("POST", "/v1/links/bulk", bodies[0], http.StatusAccepted, &j); err != nil {
			return fmt.Errorf("repost job 0: %w", err)
		}
		if j, err := cl.wait(j.ID, deadline); err != nil {
			return err
		} else if j.Created != 0 || j.Existing != j.Total {
			return fmt.Errorf("rerun of job 0 created %d links, %d existing of %d: want none created", j.Created, j.Existing, j.Total)
		}
		fmt.Printf("bulkload: rerun of job 0 (%d items): 0 created, all existing\n", min(c.perJob, c.links))
	}
	return nil
}

// jobBody is the bulk body of items first..first+n.
func jobBody(run string, first, n int, keys bool) []byte {
	var b bytes.Buffer
	b.Grow(n * 150)
	b.WriteString(`{"items":[`)
	for i := first; i < first+n; i++ {
		if i > first {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"destination_url":"https://shop.example.com/p/%d?src=bulk","path":"b%s-%d","tags":["bulk"]`, i, run, i)
		if keys {
			fmt.Fprintf(&b, `,"idempotency_key":"bulk-%s-%d"`, run, i)
		}
		b.WriteByte('}')
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func totalLen(bs [][]byte) int {
	n := 0
	for _, b := range bs {
		n += len(b)
	}
	return n
}

type job struct {
	ID       string          `json:"id"`
	Status   string          `json:"status"`
	Total    int             `json:"total"`
	Created  int             `json:"created"`
	Existing int             `json:"existing"`
	Failed   int             `json:"failed"`
	Errors   json.RawMessage `json:"errors"`
}

type client struct {
	api, key string
	http     *http.Client
}

func (c *client) do(method, path string, body []byte, want int, v any) error {
	req, err := http.NewRequest(method, c.api+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %s: %.500s", method, path, resp.Status, out)
	}
	return json.Unmarshal(out, v)
}

// wait polls job id until it is done.
func (c *client) wait(id string, deadline time.Time) (job, error) {
	for {
		var j job
		if err := c.do("GET", "/v1/jobs/"+id, nil, http.StatusOK, &j); err != nil {
			return j, err
		}
		if j.Status == "succeeded" || j.Status == "failed" {
			return j, nil
		}
		if time.Now().After(deadline) {
			return j, fmt.Errorf("job %s still %s at the deadline", id, j.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkSample reads items of the jobs and checks that their links answer
// GET /v1/links/{id} and redirect to their destination.
func checkSample(c config, cl *client, ids []string) error {
	noFollow := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	checked := 0
	per := max(1, c.sample/len(ids))
	for _, id := range ids {
		var page struct {
			Items []struct {
				Index    int    `json:"index"`
				LinkID   string `json:"link_id"`
				ShortURL string `json:"short_url"`
			} `json:"items"`
		}
		if err := cl.do("GET", "/v1/jobs/"+id+"/items?limit="+strconv.Itoa(min(per, 1000)), nil, http.StatusOK, &page); err != nil {
			return err
		}
		for _, it := range page.Items {
			var l struct {
				DestinationURL string `json:"destination_url"`
				Path           string `json:"path"`
			}
			if err := cl.do("GET", "/v1/links/"+it.LinkID, nil, http.StatusOK, &l); err != nil {
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
