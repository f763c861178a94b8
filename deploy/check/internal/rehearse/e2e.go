package rehearse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/clicktrail/clicktrail/client"
	"github.com/clicktrail/clicktrail/deploy/check/internal/stack"
	"github.com/clicktrail/clicktrail/webhooksig"
)

// pathTimeout bounds each hop of the click's path (redirect, ClickHouse,
// webhook); the design's freshness target is 1 s, the slack is for
// consumer groups joining on a busy machine.
const pathTimeout = 60 * time.Second

// endToEnd creates a webhook endpoint and a link, follows the link, and
// waits for its click in ClickHouse and at the endpoint.
func endToEnd(ctx context.Context, st stack.Stack, loc Local) error {
	var node, sink *stack.Service
	for i, s := range st.Services {
		switch {
		case len(s.Args) > 0 && s.Args[0] == "redirect":
			// the node that serves the API, when several redirect
			if node == nil || !strings.HasPrefix(s.Env["CLICKTRAIL_API_ADDR"], "127.") {
				node = &st.Services[i]
			}
		case len(s.Args) > 1 && s.Args[0] == "sink" && s.Args[1] == "webhook":
			sink = &st.Services[i]
		}
	}
	if node == nil || sink == nil {
		return errors.New("no redirect node or no webhook sink to rehearse against")
	}
	key, _, _ := strings.Cut(node.Env["CLICKTRAIL_API_KEYS"], ",")
	domain := node.Env["CLICKTRAIL_DEFAULT_DOMAIN"]
	redirectURL := "http://" + node.Env["CLICKTRAIL_REDIRECT_ADDR"]
	for env, paths := range stack.Served["redirect"] {
		for _, p := range paths {
			if err := get200("http://"+node.Env[env]+p, domain); err != nil {
				return fmt.Errorf("%s: a probe's path: %w", node.Name, err)
			}
		}
	}
	hooks := newReceiver()
	defer hooks.Close()
	whAddr := sink.Env["CLICKTRAIL_WEBHOOK_API_ADDR"]
	if whAddr == "" {
		return fmt.Errorf("%s: no CLICKTRAIL_WEBHOOK_API_ADDR: webhook endpoints cannot be managed", sink.Name)
	}
	wc, err := client.New("http://"+whAddr, key)
	if err != nil {
		return err
	}
	hookURL := hooks.URL + "/hook"
	ep, err := wc.CreateEndpoint(ctx, client.EndpointRequest{URL: &hookURL, Events: []string{"click.created"}})
	if err != nil {
		return fmt.Errorf("create webhook endpoint on %s: %w", sink.Name, err)
	}
	ac, err := client.New("http://"+node.Env["CLICKTRAIL_API_ADDR"], key)
	if err != nil {
		return err
	}
	link, err := ac.CreateLink(ctx, client.CreateLinkRequest{DestinationURL: "https://example.com/deploycheck"})
	if err != nil {
		return fmt.Errorf("create link on %s: %w", node.Name, err)
	}
	if err := follow(ctx, redirectURL+"/"+link.Path, domain, link.DestinationURL); err != nil {
		return fmt.Errorf("redirect of %s: %w", link.ShortURL, err)
	}
	if err := waitClickHouse(ctx, loc, link.ID); err != nil {
		return err
	}
	return hooks.wait(ctx, ep.Secret, link.ID)
}

func get200(u, host string) error {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return nil
}

// follow asks for the short link until it redirects to dest.
func follow(ctx context.Context, u, host, dest string) error {
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	deadline := time.Now().Add(pathTimeout)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Host = host
		req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) deploycheck")
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			loc := resp.Header.Get("Location")
			if resp.StatusCode/100 == 3 && strings.HasPrefix(loc, dest) {
				return nil
			}
			err = fmt.Errorf("GET %s (Host %s): %s, Location %q", u, host, resp.Status, loc)
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func waitClickHouse(ctx context.Context, loc Local, linkID string) error {
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{loc.ClickHouse}})
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline := time.Now().Add(pathTimeout)
	for {
		var n uint64
		err := conn.QueryRow(ctx, "SELECT count() FROM "+loc.database()+".clicks WHERE link_id = ?", linkID).Scan(&n)
		if err == nil && n > 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the click of link %s is not in ClickHouse %s.clicks after %s (last: n=%d err=%v)", linkID, loc.database(), pathTimeout, n, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// cleanup drops the run's database and deletes its topics.
func cleanup(loc Local) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var errs []error
	if conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{loc.ClickHouse}}); err == nil {
		errs = append(errs, conn.Exec(ctx, "DROP DATABASE IF EXISTS "+loc.database()))
		conn.Close()
	}
	kc, err := kgo.NewClient(kgo.SeedBrokers(loc.Kafka))
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	defer kc.Close()
	adm := kadm.NewClient(kc)
	topics, err := adm.ListTopics(ctx)
	if err == nil {
		var ours []string
		for _, t := range topics.Names() {
			if strings.HasPrefix(t, loc.topicPrefix()) {
				ours = append(ours, t)
			}
		}
		if len(ours) > 0 {
			_, err = adm.DeleteTopics(ctx, ours...)
		}
	}
	if err != nil {
		errs = append(errs, fmt.Errorf("delete the run's topics: %w", err))
	}
	return errors.Join(errs...)
}

// receiver is the webhook endpoint of the rehearsal.
type receiver struct {
	*http.Server
	URL string
	got chan delivery
}

type delivery struct {
	h    http.Header
	body []byte
}

func newReceiver() *receiver {
	r := &receiver{got: make(chan delivery, 64)}
	r.Server = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		select {
		case r.got <- delivery{req.Header.Clone(), b}:
		default:
		}
	})}
	addr, err := freePort()
	if err == nil {
		r.URL = "http://" + addr
		r.Server.Addr = addr
		go r.ListenAndServe()
	}
	return r
}

// wait waits for a signed click.created of the link.
func (r *receiver) wait(ctx context.Context, secret, linkID string) error {
	timeout := time.After(pathTimeout)
	for {
		select {
		case d := <-r.got:
			if !strings.Contains(string(d.body), linkID) {
				continue
			}
			if err := webhooksig.Verify([]string{secret}, d.h, d.body, time.Now(), 5*time.Minute); err != nil {
				return fmt.Errorf("webhook of link %s: bad signature: %w", linkID, err)
			}
			return nil
		case <-timeout:
			return fmt.Errorf("no webhook of link %s's click after %s", linkID, pathTimeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
