package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/clicktrail/clicktrail/linkapi"
)

// Kafka says where the Kafka cluster is and how clicktrail's topics look.
// Its tags are the CLI's flags (internal/cliflag); DefaultKafka has the
// defaults they show.
type Kafka struct {
	Brokers []string `flag:"kafka-brokers" env:"CLICKTRAIL_KAFKA_BROKERS" usage:"seed brokers, host:port (repeat or comma-separate)"`
	// TopicPrefix is prepended to every topic name, e.g. "staging."; empty in most clusters.
	TopicPrefix       string `flag:"topic-prefix" env:"CLICKTRAIL_TOPIC_PREFIX" usage:"prepended to every topic name (shared clusters, tests)"`
	Partitions        int32  `flag:"topic-partitions" env:"CLICKTRAIL_TOPIC_PARTITIONS" usage:"partitions of topics clicktrail creates (the most consumers a group can use)"`
	ReplicationFactor int16  `flag:"topic-replication-factor" env:"CLICKTRAIL_TOPIC_REPLICATION_FACTOR" usage:"replicas of topics clicktrail creates (3 in production)"`
}

// DefaultKafka is the Kafka config the CLI starts from: 6 partitions, 1 replica.
func DefaultKafka() Kafka { return Kafka{Partitions: 6, ReplicationFactor: 1} }

// Enabled reports whether a cluster is configured.
func (k Kafka) Enabled() bool { return len(k.Brokers) > 0 }

// Topic returns the full name of one of schemas' topics.
func (k Kafka) Topic(name string) string { return k.TopicPrefix + name }

// Spool configures the local durable spool.
type Spool struct {
	SyncMode      string        // "interval" (default) or "always"
	FlushInterval time.Duration // interval mode: the most a kill -9 can lose
	MaxBytes      int64         // backlog above which clicks are refused (counted and logged)
}

// RedirectNode is a redirector with its link API, store and spool. With Kafka
// configured, a forwarder drains the spool into Kafka; without, the spool is
// the event log that the embedded stages read.
type RedirectNode struct {
	DataDir        string
	RedirectAddr   string
	APIAddr        string
	APIKeys        []string
	DefaultDomain  string
	AnyHost        bool   // serve every Host as DefaultDomain (dev)
	ShortURLScheme string // scheme of short_url in API answers
	// ShortURLBase replaces scheme://domain in short_url. Dev sets it to
	// the redirector's own address (learned after binding, so port 0 works)
	// when it is empty and AnyHost is on.
	ShortURLBase   string
	TrustedProxies []netip.Prefix
	// RateLimit bounds each API key's request rate (zero value: defaults on).
	RateLimit linkapi.RateLimitConfig
	// Destinations says which destination URLs the API refuses (zero value:
	// private addresses refused, no host lists).
	Destinations linkapi.DestinationPolicy
	// GeoIPPath is the MaxMind .mmdb that answers country routing rules;
	// empty means country rules never match. Dev defaults it to
	// Enrich.GeoIPPath.
	GeoIPPath string
	// VisitorSecret keys visitors' A/B buckets (at least 32 bytes, the same
	// on every node); empty means a random key per process. Dev defaults it
	// to Enrich.HashSecret.
	VisitorSecret []byte
	// ClickIDParam names the click id query parameter of conversion
	// tracking; empty means redirect.DefaultClickIDParam.
	ClickIDParam string
	Spool        Spool
	Kafka        Kafka
	Logger       *slog.Logger
	// DebugAddr, when set, serves the process's Prometheus metrics at
	// /metrics and net/http/pprof on its own listener (loopback or a
	// private network only: it exposes internals).
	DebugAddr string
	// OnDebugReady, when set, is called with the debug listener's base URL
	// once it is bound (tests listen on port 0).
	OnDebugReady func(debugURL string)
	// OnReady, when set, is called once both listeners are bound, with their
	// base URLs (tests listen on port 0 and learn the port here).
	OnReady func(redirectURL, apiURL string)
	// Mount serves more API handlers behind the link API's authentication
	// and rate limit (pattern -> handler); dev mounts the webhook API.
	Mount map[string]http.Handler
	// Public serves handlers on the API listener without its bearer-key
	// authentication (linkapi.APIConfig.Public): the dashboard.
	Public map[string]http.Handler
	// MountScopes are the scopes of the Mount patterns (see
	// linkapi.APIConfig.MountScopes).
	MountScopes map[string]linkapi.MountScope
	// MountDocs document the mounted operations in the OpenAPI document.
	MountDocs []linkapi.MountedRoute
	// RedirectFrontEnd is the HTTP server of the redirect listener:
	// FrontEndFastHTTP (the default, "") or FrontEndNetHTTP. Both give the
	// same answers; see bench/README.md for what each costs.
	RedirectFrontEnd string
	// AllowPrivateCallbacks lets bulk jobs' callback_url be a private or
	// loopback address: tests and local development only.
	AllowPrivateCallbacks bool
	// LinkCheck runs the broken-destination checker in this process.
	LinkCheck LinkCheck
	// SecretKeys seal the secrets the node keeps to use them (bulk jobs'
	// callback secrets; in dev also the webhook endpoints' signing
	// secrets): "<id>:<base64 of 32 bytes>", the first sealing. Empty
	// means a key kept in DataDir/secrets-key (ADR 007).
	SecretKeys []string
}

// Batch bounds consumer batches. Its tags are the CLI's flags;
// DefaultBatch has the defaults they show.
type Batch struct {
	MaxRecords int           `flag:"batch-max-records" env:"CLICKTRAIL_BATCH_MAX_RECORDS" usage:"most records a consumer hands to its stage at once (one ClickHouse insert)"`
	MaxWait    time.Duration `flag:"batch-max-wait" env:"CLICKTRAIL_BATCH_MAX_WAIT" usage:"longest a partial batch waits before it is processed: bounds freshness (each stage adds up to this; bench/freshness.sh measured p99 click-to-webhook 1.5 s at 500ms, 0.31 s at 100ms). Under load batches fill before it; raise it only to cut ClickHouse inserts at low volume"`
}

// DefaultBatch is the batch config the CLI starts from.
func DefaultBatch() Batch { return Batch{MaxRecords: 10000, MaxWait: 100 * time.Millisecond} }

// Dev is the embedded default: everything in one process on the spool.
// Its stages take their configs from StageConfigs: enriched clicks go to
// ClickHouse when ClickHouse.DSN is set, else to <data-dir>/clicks.jsonl;
// webhooks are on unless Webhooks.Disabled, with their registry in
// <data-dir>/webhooks and their endpoint API mounted on the link API.
type Dev struct {
	RedirectNode
	StageConfigs
	Batch Batch
}

func (n *RedirectNode) validate() error {
	var errs []error
	if n.DataDir == "" {
		errs = append(errs, errors.New("data-dir: required"))
	}
	if n.RedirectAddr == "" {
		errs = append(errs, errors.New("redirect-addr: required"))
	}
	if n.APIAddr == "" {
		errs = append(errs, errors.New("api-addr: required"))
	}
	if len(n.APIKeys) == 0 {
		errs = append(errs, errors.New("api-key: at least one is required"))
	}
	for i, k := range n.APIKeys {
		if len(k) < 16 {
			errs = append(errs, fmt.Errorf("api-key[%d]: must be at least 16 characters", i))
		}
	}
	if n.DefaultDomain == "" {
		errs = append(errs, errors.New("default-domain: required"))
	}
	switch n.RedirectFrontEnd {
	case "", FrontEndFastHTTP, FrontEndNetHTTP:
	default:
		errs = append(errs, fmt.Errorf("redirect-front-end: want %s or %s, got %q", FrontEndFastHTTP, FrontEndNetHTTP, n.RedirectFrontEnd))
	}
	return errors.Join(errs...)
}

func (k Kafka) validate() error {
	if !k.Enabled() {
		return errors.New("kafka-brokers: required")
	}
	return nil
}
