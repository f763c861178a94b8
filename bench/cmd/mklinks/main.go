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
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
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

// create posts the links from c.concurrency goroutines and stops at the
// first failure.
func create(c config) error {
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: c.concurrency},
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
				if err := post(ctx, client, c, i); err != nil {
					cancel(err)
				}
			}
		}()
	}
	wg.Wait()
	return context.Cause(ctx)
}

func post(ctx context.Context, client *http.Client, c config, i int) error {
	body, err := json.Marshal(map[string]string{"path": slug(i), "destination_url": destination(i), "domain": c.domain})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.api+"/v1/links", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("create link %s: %w", slug(i), err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("create link %s: %w", slug(i), err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("create link %s: %s: %s", slug(i), resp.Status, out)
	}
	return nil
}

// createBulk posts the links as jobs of up to 100,000 items and waits
// until every job has processed them; an item that already exists (a
// rerun on kept data) counts as done.
func createBulk(c config) error {
	client := &http.Client{Timeout: 5 * time.Minute}
	const perJob = 100_000
	var jobs []string
	for first := 0; first < c.n; first += perJob {
		var body bytes.Buffer
		body.WriteString(`{"on_conflict":"error","items":[`)
		for i := first; i < min(first+perJob, c.n); i++ {
			if i > first {
				body.WriteByte(',')
			}
			item, err := json.Marshal(map[string]string{"path": slug(i), "destination_url": destination(i), "domain": c.domain,
				"idempotency_key": "mklinks-" + slug(i)})
			if err != nil {
				return err
			}
			body.Write(item)
		}
		body.WriteString(`]}`)
		var job struct{ ID string }
		if err := call(client, c, http.MethodPost, "/v1/links/bulk", body.Bytes(), http.StatusAccepted, &job); err != nil {
			return err
		}
		jobs = append(jobs, job.ID)
	}
	for _, id := range jobs {
		for {
			var j struct {
				Status                   string
				Total, Processed, Failed int
				Errors                   []json.RawMessage
			}
			if err := call(client, c, http.MethodGet, "/v1/jobs/"+id, nil, http.StatusOK, &j); err != nil {
				return err
			}
			if j.Status == "succeeded" || j.Status == "failed" {
				if j.Status == "failed" || j.Failed > 0 {
					return fmt.Errorf("job %s: %s, %d of %d items failed: %s", id, j.Status, j.Failed, j.Total, j.Errors)
				}
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return nil
}

// call sends one API request and decodes a want-status answer into out.
func call(client *http.Client, c config, method, path string, body []byte, want int, out any) error {
	req, err := http.NewRequest(method, c.api+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %s: %.300s", method, path, resp.Status, b)
	}
	return json.Unmarshal(b, out)
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
