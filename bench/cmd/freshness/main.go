// Command freshness measures how fresh clicktrail's outputs are at a steady
// click rate: for every click, the time from sending the redirect request
// to receiving its signed webhook, and (with -clickhouse-dsn) to its row
// being visible in ClickHouse. It is the measurement behind the "p99 from
// click to delivery under 1 s" target; bench/freshness.sh runs it against
// a fresh `clicktrail dev`.
//
// It starts a webhook receiver that verifies every signature with the
// importable webhooks package, registers it through the endpoint API for
// click.created, creates -links links with track_conversions (so each
// redirect's Location names the click's event id, which is also the
// webhook-id and the ClickHouse event_id), then sends -rate clicks per
// second for -duration, evenly spaced, and waits up to -wait for every
// click to arrive. It prints p50, p90, p99 and max of each latency and the
// counts, and exits 1 when a click is missing, a signature is bad or a
// redirect failed.
//
//	freshness -api http://127.0.0.1:18281 -redirect http://127.0.0.1:18280 -key "$KEY" \
//	  -rate 200 -duration 30s -clickhouse-dsn clickhouse://127.0.0.1:19000/freshness_1
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"
)

type config struct {
	api, redirect, key, host string
	rate                     float64
	duration, wait           time.Duration
	links, concurrency       int
	receiverAddr             string
	clickhouseDSN            string
	chPoll                   time.Duration
	chDrop                   bool
}

func main() {
	var c config
	flag.StringVar(&c.api, "api", "http://127.0.0.1:8081", "link API base URL")
	flag.StringVar(&c.redirect, "redirect", "http://127.0.0.1:8080", "redirector base URL")
	flag.StringVar(&c.key, "key", "", "API key (required)")
	flag.StringVar(&c.host, "host", "", "Host header of the clicks (empty: the redirector's address)")
	flag.Float64Var(&c.rate, "rate", 200, "clicks per second")
	flag.DurationVar(&c.duration, "duration", 30*time.Second, "how long clicks are sent")
	flag.DurationVar(&c.wait, "wait", 30*time.Second, "how long to wait for the last clicks after sending")
	flag.IntVar(&c.links, "links", 20, "links the clicks are spread over")
	flag.IntVar(&c.concurrency, "concurrency", 64, "redirect requests in flight at most")
	flag.StringVar(&c.receiverAddr, "receiver-addr", "127.0.0.1:0", "listen address of the webhook receiver")
	flag.StringVar(&c.clickhouseDSN, "clickhouse-dsn", "", "ClickHouse the node writes to (native protocol); empty: webhooks only")
	flag.DurationVar(&c.chPoll, "clickhouse-poll", 50*time.Millisecond, "how often ClickHouse is polled for new rows")
	flag.BoolVar(&c.chDrop, "clickhouse-drop-database", false, "drop the DSN's database at the end (a database made for this run)")
	flag.Parse()
	if err := c.validate(); err != nil {
		fmt.Fprintln(os.Stderr, "freshness:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ok, err := run(ctx, c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "freshness:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

func (c config) validate() error {
	var errs []error
	if c.key == "" {
		errs = append(errs, errors.New("-key: required"))
	}
	if c.rate <= 0 {
		errs = append(errs, fmt.Errorf("-rate: must be positive, got %v", c.rate))
	}
	if c.duration <= 0 {
		errs = append(errs, fmt.Errorf("-duration: must be positive, got %v", c.duration))
	}
	if c.wait < 0 {
		errs = append(errs, fmt.Errorf("-wait: must not be negative, got %v", c.wait))
	}
	if c.links <= 0 {
		errs = append(errs, fmt.Errorf("-links: must be positive, got %d", c.links))
	}
	if c.concurrency <= 0 {
		errs = append(errs, fmt.Errorf("-concurrency: must be positive, got %d", c.concurrency))
	}
	if c.chPoll <= 0 {
		errs = append(errs, fmt.Errorf("-clickhouse-poll: must be positive, got %v", c.chPoll))
	}
	return errors.Join(errs...)
}
