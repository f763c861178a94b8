package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/internal/httpedge"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/internal/metrics"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/bulk"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/redirect/linkcheck"
	"github.com/clicktrail/clicktrail/schemas"
)

// node is an opened redirect node: link store, spool, and the bound
// listeners of the redirector and the link API.
type node struct {
	cfg        RedirectNode
	log        *slog.Logger
	store      *redirect.Store
	spool      *ingest.Spool
	geo        *enrich.CountryReader // nil without GeoIPPath
	redirector *redirect.Redirector
	redirectLn net.Listener
	apiLn      net.Listener
	redirectH  http.Handler
	// fastRedirectH is the redirector's fasthttp front-end, served unless
	// frontEnd is FrontEndNetHTTP.
	fastRedirectH fasthttp.RequestHandler
	frontEnd      string
	apiH          http.Handler
	apiRoutes     *httpedge.Routes // from the API's OpenAPI document: its 405s
	jobs          *bulk.Runner     // bulk link jobs
	// shortScheme and shortBase make short URLs as the link API shows
	// them (see shortURL).
	shortScheme, shortBase string
	// linkHooks see every durable link change of the API, and jobHooks
	// the end of every bulk job; set them before serve.
	linkHooks []linkHook
	jobHooks  []func(eventType string, j *bulk.Job)
	// metrics are the process's (served on debugLn, when configured).
	metrics *metrics.Registry
	debugLn net.Listener
}

func openNode(cfg RedirectNode) (_ *node, err error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("redirect node config: %w", err)
	}
	n := &node{cfg: cfg, log: logs.OrDiscard(cfg.Logger), metrics: metrics.New()}
	defer func() {
		if err != nil {
			n.close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	if n.store, err = redirect.OpenStore(filepath.Join(cfg.DataDir, "links"), redirect.StoreOptions{}); err != nil {
		return nil, fmt.Errorf("open link store: %w", err)
	}
	n.spool, err = ingest.OpenSpool(filepath.Join(cfg.DataDir, "spool"), ingest.SpoolOptions{
		SyncMode:      cfg.Spool.SyncMode,
		FlushInterval: cfg.Spool.FlushInterval,
		MaxBytes:      cfg.Spool.MaxBytes,
		Logger:        n.log,
	})
	if err != nil {
		return nil, fmt.Errorf("open spool: %w", err)
	}
	if cfg.GeoIPPath != "" {
		if n.geo, err = enrich.OpenCountryReader(cfg.GeoIPPath); err != nil {
			return nil, fmt.Errorf("redirect routing: %w", err)
		}
	}
	if n.redirectLn, err = listen("redirect", cfg.RedirectAddr); err != nil {
		return nil, err
	}
	if n.apiLn, err = listen("api", cfg.APIAddr); err != nil {
		return nil, err
	}
	if cfg.DebugAddr != "" {
		if n.debugLn, err = listen("debug", cfg.DebugAddr); err != nil {
			return nil, err
		}
	}
	secrets, err := secretRing(cfg.DataDir, cfg.SecretKeys)
	if err != nil {
		return nil, err
	}
	scheme, base := cfg.ShortURLScheme, cfg.ShortURLBase
	if scheme == "" {
		scheme = "https"
	}
	if base == "" && cfg.AnyHost {
		base = "http://" + hostForURL(n.redirectLn.Addr().String())
	}
	n.shortScheme, n.shortBase = scheme, strings.TrimSuffix(base, "/")
	apiCfg := linkapi.APIConfig{
		Store:          n.store,
		APIKeys:        cfg.APIKeys,
		DefaultDomain:  cfg.DefaultDomain,
		ShortURLScheme: scheme,
		ShortURLBase:   base,
		RateLimit:      cfg.RateLimit,
		Destinations:   cfg.Destinations,
		Logger:         n.log,
		Mount:          cfg.Mount,
		MountScopes:    cfg.MountScopes,
		Public:         cfg.Public,
		MountDocs:      cfg.MountDocs,
		OnConversion:   queueConversions(n.spool, cfg.Kafka.Topic(conversionsTopic)),
		Secrets:        secrets,
		OnLinkEvent: func(eventType string, l *redirect.Link) {
			for _, hook := range n.linkHooks {
				hook.one(eventType, l)
			}
		},
		OnLinkEvents: func(eventType string, links []*redirect.Link) {
			for _, hook := range n.linkHooks {
				hook(eventType, links)
			}
		},
	}
	jobsCfg := bulk.Config{AllowPrivateCallbacks: cfg.AllowPrivateCallbacks, OnJobEvent: func(eventType string, j *bulk.Job) {
		for _, hook := range n.jobHooks {
			hook(eventType, j)
		}
	}}
	// The bulk job runner shares the API's config; it is closed before the
	// store, and started by serve, once the hooks are in place.
	if n.jobs, err = bulk.NewRunner(apiCfg, jobsCfg); err != nil {
		return nil, fmt.Errorf("bulk link jobs: %w", err)
	}
	jobsCfg.Runner = n.jobs
	if apiCfg.Routes, err = bulk.Routes(apiCfg, jobsCfg); err != nil {
		return nil, fmt.Errorf("bulk link jobs: %w", err)
	}
	if n.apiH, err = linkapi.NewAPI(apiCfg); err != nil {
		return nil, fmt.Errorf("link API: %w", err)
	}
	if n.apiRoutes, err = openAPIRoutes(n.apiH); err != nil {
		return nil, fmt.Errorf("link API: %w", err)
	}
	n.apiH = logs.RequestIDs(n.metrics.HTTP("api", apiRoute(n.apiRoutes), n.apiH), n.log)
	rc := redirect.RedirectConfig{
		Store:         n.store,
		Clicks:        n.spool,
		Topic:         cfg.Kafka.Topic(rawTopic),
		DefaultDomain: cfg.DefaultDomain,
		AnyHost:       cfg.AnyHost,
		VisitorSecret: cfg.VisitorSecret,
		ClickIDParam:  cfg.ClickIDParam,
		Logger:        n.log,
	}
	if n.geo != nil { // a nil *CountryReader in the interface would not be a nil Geo
		rc.Geo = n.geo
	}
	if n.redirector, err = redirect.NewRedirector(rc); err != nil {
		return nil, fmt.Errorf("redirector: %w", err)
	}
	n.redirectH = realIP(n.redirector, cfg.TrustedProxies)
	n.fastRedirectH = realIPFast(n.redirector.ServeFastHTTP, cfg.TrustedProxies)
	n.frontEnd = cmp.Or(cfg.RedirectFrontEnd, FrontEndFastHTTP)
	n.metrics.MustRegister(nodeCollector{n.redirector, n.spool})
	return n, nil
}

// shortURL is a click's short URL as the link API shows it: on
// ShortURLBase (dev's is the redirect listener), else on the click's
// domain.
func (n *node) shortURL(c *schemas.EnrichedClick) string {
	return linkapi.ShortURL(n.shortScheme, n.shortBase, c.Domain, c.Path)
}

// serve starts both HTTP servers (and the debug one when configured) in g
// and reports readiness.
func (n *node) serve(g *group) {
	n.jobs.Start() // resume the jobs a restart interrupted
	if n.debugLn != nil {
		serveDebug(g, n.debugLn, n.metrics, n.cfg.OnDebugReady, n.log)
	}
	g.Go("redirect server", n.serveRedirect)
	g.Go("api server", func(ctx context.Context) error { return serveAPI(ctx, n.apiLn, n.apiH, n.apiRoutes, n.log) })
	g.Go("readiness", func(ctx context.Context) error {
		<-ctx.Done()
		n.redirector.SetReady(false) // /readyz: 503 while the servers drain
		return nil
	})
	n.log.Info("serving", "redirect", n.redirectLn.Addr().String(), "api", n.apiLn.Addr().String())
	if n.cfg.OnReady != nil {
		n.cfg.OnReady("http://"+hostForURL(n.redirectLn.Addr().String()), "http://"+hostForURL(n.apiLn.Addr().String()))
	}
}

// serveRedirect serves the redirect listener with the node's front-end
// until ctx ends; both give the same answers (redirect.NewRedirector).
func (n *node) serveRedirect(ctx context.Context) error {
	if n.frontEnd == FrontEndNetHTTP {
		return serve(ctx, n.redirectLn, limitBody(n.redirectH, defaultLimits.body), n.log)
	}
	return serveFast(ctx, n.redirectLn, n.fastRedirectH, n.log, defaultLimits)
}

// close releases everything openNode acquired; the spool syncs on close, so
// every click that was answered is on disk.
func (n *node) close() error {
	var errs []error
	for _, ln := range []net.Listener{n.redirectLn, n.apiLn, n.debugLn} {
		if ln != nil {
			ln.Close() // already closed by a graceful shutdown: error expected
		}
	}
	if n.spool != nil {
		errs = append(errs, n.spool.Close())
	}
	if n.jobs != nil { // before the store it writes to
		errs = append(errs, n.jobs.Close())
	}
	if n.store != nil {
		errs = append(errs, n.store.Close())
	}
	errs = append(errs, n.geo.Close()) // nil-safe
	return errors.Join(errs...)
}

// RunRedirectNode serves redirects and the link API and forwards the spooled
// clicks to Kafka. Kafka being down only delays clicks: the redirector keeps
// answering and the spool keeps them until the forwarder gets acks. That
// holds at start too: the node serves at once, and its forwarders and links
// replica start when the topics can be created (a node restarted during an
// outage must not take redirects down with it). Link
// changes made through this node's API go to the compacted links topic the
// same way, and the node replicates every node's links from it (linksync.go).
func RunRedirectNode(ctx context.Context, cfg RedirectNode) (err error) {
	defer func() { err = explainLocked(cfg.DataDir, err) }()
	if err := cfg.Kafka.validate(); err != nil {
		return err
	}
	n, err := openNode(cfg)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, n.close()) }()
	kcfg := kafkaConfig(cfg.Kafka, "clicktrail-redirect", n.log)
	kcfg.Hooks = n.metrics.KafkaHooks
	producer, err := ingest.NewKafkaProducer(kcfg) // connects on first use
	if err != nil {
		return fmt.Errorf("kafka producer: %w", err)
	}
	defer producer.Close()

	links := cfg.Kafka.Topic(linksTopic)
	events := cfg.Kafka.Topic(schemas.TopicLinkEvents) // link, checker, job events for webhooks
	n.linkHooks = append(n.linkHooks, publishLinkChanges(n.spool, links, events, n.log))
	n.jobHooks = append(n.jobHooks, publishJobEvents(n.spool, events, n.log))
	var chk *linkcheck.Checker
	if cfg.LinkCheck.Enabled {
		if chk, err = openLinkChecker(cfg.LinkCheck, cfg.DataDir, n.store, n.spool, events, n.log); err != nil {
			return err
		}
		defer func() { err = errors.Join(err, chk.Close()) }()
	}
	g := newGroup(ctx)
	n.serve(g)
	if chk != nil {
		g.Go("destination checker", chk.Run)
	}
	// Kafka is not needed to serve: everything the node writes waits in its
	// spool. The forwarders (one per topic) and the links replica start once
	// the topics exist, however long the cluster takes to answer.
	g.Go("kafka", func(ctx context.Context) error {
		if err := ensureTopicsRetrying(ctx, cfg.Kafka, kcfg, n.log); err != nil {
			return err
		}
		k := newGroup(ctx)
		for _, f := range []struct{ name, topic string }{
			{"forwarder", cfg.Kafka.Topic(rawTopic)},
			{"links forwarder", links},
			{"link events forwarder", events},
			{"conversions forwarder", cfg.Kafka.Topic(conversionsTopic)},
		} {
			fwd := n.spool.Consumer(ingest.ForwarderGroup, f.topic, forwarderBatch)
			k.Go(f.name, func(ctx context.Context) error { return ingest.Forward(ctx, fwd, producer) })
		}
		k.Go("links replica", func(ctx context.Context) error { return replicateLinks(ctx, kcfg, links, n.store, n.log) })
		return k.Wait()
	})
	return g.Wait()
}

// hostForURL turns a bound address into host:port for a URL a person can
// paste: 127.0.0.1 becomes localhost, wildcard addresses become localhost.
func hostForURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0", "::", "127.0.0.1", "::1":
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
