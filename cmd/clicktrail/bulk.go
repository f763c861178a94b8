package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// bulkJobItems is how many items `links bulk` posts per job: the API's
// limit (linkapi.MaxBulkItems).
const bulkJobItems = 100_000

// linksBulkCmd is `clicktrail links bulk`.
func linksBulkCmd() *cli.Command {
	return &cli.Command{
		Name:  "bulk",
		Usage: "create links from a JSON Lines or CSV file as bulk jobs of up to 100,000 links",
		Description: "--file items.jsonl: one POST /v1/links body per line, with an optional \"idempotency_key\".\n" +
			"--file items.csv: a header row naming the columns destination_url (required), path, domain, external_id,\n" +
			"idempotency_key, tags (separated by |), utm_source, utm_medium, utm_campaign, utm_term, utm_content and\n" +
			"metadata.<key>; one link per row. Items with an idempotency_key make a rerun create nothing new.\n" +
			"Prints each job as it is accepted; with --wait, polls until every job is done and prints a summary.",
		Flags: []cli.Flag{apiURLFlag, clientKeyFlag,
			&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Required: true, Usage: "items file, .jsonl or .csv (- reads JSON Lines from stdin)"},
			&cli.StringFlag{Name: "callback-url", Usage: "URL called with a signed body when each job finishes"},
			&cli.StringFlag{Name: "on-conflict", Usage: `default for items: "error" (path taken fails the item) or "suffix"`},
			&cli.BoolFlag{Name: "wait", Usage: "poll until the jobs are done and print a summary"},
		},
		Action: bulkLinks,
	}
}

func bulkLinks(c *cli.Context) error {
	items, err := readBulkItems(c.String("file"))
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return fmt.Errorf("file %s: no items", c.String("file"))
	}
	client := &http.Client{Timeout: 5 * time.Minute}
	api := bulkAPI{c: c, client: client}
	var ids []string
	for first := 0; first < len(items); first += bulkJobItems {
		body := map[string]any{"items": items[first:min(first+bulkJobItems, len(items))]}
		if v := c.String("callback-url"); v != "" {
			body["callback_url"] = v
		}
		if v := c.String("on-conflict"); v != "" {
			body["on_conflict"] = v
		}
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		var job bulkJob
		out, err := api.do(http.MethodPost, "/v1/links/bulk", b, &job)
		if err != nil {
			return fmt.Errorf("items %d to %d: %w", first, first+len(body["items"].([]json.RawMessage))-1, err)
		}
		fmt.Fprintf(c.App.Writer, "%s\n", out)
		ids = append(ids, job.ID)
	}
	if !c.Bool("wait") {
		return nil
	}
	return waitJobs(c, api, ids)
}

// bulkJob is the part of a job the CLI reads.
type bulkJob struct {
	ID        string            `json:"id"`
	Status    string            `json:"status"`
	Total     int               `json:"total"`
	Processed int               `json:"processed"`
	Created   int               `json:"created"`
	Existing  int               `json:"existing"`
	Failed    int               `json:"failed"`
	Error     string            `json:"error"`
	Errors    []json.RawMessage `json:"errors"`
}

func waitJobs(c *cli.Context, api bulkAPI, ids []string) error {
	var total bulkJob
	failedJobs := 0
	for _, id := range ids {
		var j bulkJob
		for {
			if _, err := api.do(http.MethodGet, "/v1/jobs/"+id, nil, &j); err != nil {
				return err
			}
			if j.Status == "succeeded" || j.Status == "failed" {
				break
			}
			select {
			case <-c.Context.Done():
				return c.Context.Err()
			case <-time.After(250 * time.Millisecond):
			}
		}
		fmt.Fprintf(c.App.Writer, "job %s %s: %d items, %d created, %d existing, %d failed\n", j.ID, j.Status, j.Total, j.Created, j.Existing, j.Failed)
		for _, e := range j.Errors {
			fmt.Fprintf(c.App.Writer, "  %s\n", e)
		}
		if j.Status == "failed" {
			failedJobs++
			fmt.Fprintf(c.App.Writer, "  job error: %s\n", j.Error)
		}
		total.Total += j.Total
		total.Created += j.Created
		total.Existing += j.Existing
		total.Failed += j.Failed
	}
	fmt.Fprintf(c.App.Writer, "total: %d items in %d jobs, %d created, %d existing, %d failed\n", total.Total, len(ids), total.Created, total.Existing, total.Failed)
	if failedJobs > 0 {
		return fmt.Errorf("%d of %d jobs failed", failedJobs, len(ids))
	}
	if total.Failed > 0 {
		return fmt.Errorf("items failed: %d; list them with GET /v1/jobs/{id}/items?status=failed", total.Failed)
	}
	return nil
}

// bulkAPI calls the link API for `links bulk`.
type bulkAPI struct {
	c      *cli.Context
	client *http.Client
}

// do sends one request and decodes a 2xx answer into v; it returns the
// answer's body.
func (a bulkAPI) do(method, path string, body []byte, v any) ([]byte, error) {
	out, err := fetchAPIWith(a.c, a.client, method, path, body)
	if err != nil {
		return nil, err
	}
	out = bytes.TrimSpace(out)
	if err := json.Unmarshal(out, v); err != nil {
		return nil, fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return out, nil
}

// readBulkItems reads items from a .csv file, or JSON Lines from any other
// file or "-" (stdin).
func readBulkItems(name string) ([]json.RawMessage, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("items file: %w", err)
		}
		defer f.Close()
		r = f
	}
	if strings.HasSuffix(strings.ToLower(name), ".csv") {
		items, err := csvItems(r)
		if err != nil {
			return nil, fmt.Errorf("items file %s: %w", name, err)
		}
		return items, nil
	}
	items, err := jsonlItems(r)
	if err != nil {
		return nil, fmt.Errorf("items file %s: %w", name, err)
	}
	return items, nil
}

// jsonlItems reads one JSON object per non-blank line.
func jsonlItems(r io.Reader) ([]json.RawMessage, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var items []json.RawMessage
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if b[0] != '{' || !json.Valid(b) {
			return nil, fmt.Errorf("line %d: want one JSON object", line)
		}
		items = append(items, json.RawMessage(bytes.Clone(b)))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return items, nil
}

var utmColumns = map[string]bool{"utm_source": true, "utm_medium": true, "utm_campaign": true, "utm_term": true, "utm_content": true}

// csvItems turns CSV rows into items, by the header row's column names.
func csvItems(r io.Reader) ([]json.RawMessage, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty CSV: want a header row")
	}
	if err != nil {
		return nil, err
	}
	hasDest := false
	for i, col := range header {
		col = strings.TrimSpace(col)
		header[i] = col
		switch {
		case col == "destination_url":
			hasDest = true
		case col == "path", col == "domain", col == "external_id", col == "idempotency_key", col == "tags",
			utmColumns[col],
			strings.HasPrefix(col, "metadata.") && len(col) > len("metadata."):
		default:
			return nil, fmt.Errorf("header column %d %q: unknown; want destination_url, path, domain, external_id, idempotency_key, tags, utm_<source|medium|campaign|term|content> or metadata.<key>", i+1, col)
		}
	}
	if !hasDest {
		return nil, errors.New("header: no destination_url column")
	}
	var items []json.RawMessage
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return items, nil
		}
		if err != nil {
			return nil, err
		}
		item := map[string]any{}
		utm, md := map[string]string{}, map[string]string{}
		for i, v := range rec {
			if v == "" {
				continue
			}
			switch col := header[i]; {
			case col == "tags":
				item["tags"] = strings.Split(v, "|")
			case strings.HasPrefix(col, "utm_"):
				utm[col[4:]] = v
			case strings.HasPrefix(col, "metadata."):
				md[col[len("metadata."):]] = v
			default:
				item[col] = v
			}
		}
		if item["destination_url"] == nil {
			return nil, fmt.Errorf("row %d: destination_url is empty", row)
		}
		if len(utm) > 0 {
			item["utm"] = utm
		}
		if len(md) > 0 {
			item["metadata"] = md
		}
		b, err := json.Marshal(item)
		if err != nil {
			return nil, err
		}
		items = append(items, b)
	}
}
