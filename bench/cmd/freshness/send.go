package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// sender fires clicks on a fixed schedule, click i at start + i/rate, and
// records when each was sent, by the event id its redirect named.
type sender struct {
	c      config
	links  []link
	client *http.Client

	mu     sync.Mutex
	sent   map[string]time.Time // event id -> request sent
	errs   int
	errMsg string
	maxLag time.Duration // worst delay of a send behind its schedule
}

func newSender(c config, links []link) *sender {
	return &sender{
		c: c, links: links, sent: map[string]time.Time{},
		client: &http.Client{
			Timeout:       10 * time.Second,
			Transport:     &http.Transport{MaxIdleConnsPerHost: c.concurrency},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// run sends rate*duration clicks from c.concurrency goroutines.
func (s *sender) run(ctx context.Context) {
	n := int(s.c.rate * s.c.duration.Seconds())
	start := time.Now().Add(50 * time.Millisecond)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range s.c.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				at := start.Add(time.Duration(float64(i) / s.c.rate * float64(time.Second)))
				if d := time.Until(at); d > 0 {
					select {
					case <-time.After(d):
					case <-ctx.Done():
						return
					}
				}
				s.click(ctx, i, at)
			}
		}()
	}
	wg.Wait()
}

// click sends click i and records its event id.
func (s *sender) click(ctx context.Context, i int, scheduled time.Time) {
	l := s.links[i%len(s.links)]
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.c.redirect+"/"+l.Path, nil)
	if err != nil {
		s.fail(err)
		return
	}
	if s.c.host != "" {
		req.Host = s.c.host
	}
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) freshness/1")
	sentAt := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		s.fail(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	id := ""
	if err == nil {
		id = loc.Query().Get("ct_click")
	}
	if resp.StatusCode/100 != 3 || id == "" {
		s.fail(fmt.Errorf("GET /%s: %s, Location %q: want a redirect naming ct_click", l.Path, resp.Status, resp.Header.Get("Location")))
		return
	}
	s.mu.Lock()
	s.sent[id] = sentAt
	s.maxLag = max(s.maxLag, sentAt.Sub(scheduled))
	s.mu.Unlock()
}

func (s *sender) fail(err error) {
	s.mu.Lock()
	s.errs++
	s.errMsg = err.Error()
	s.mu.Unlock()
}
