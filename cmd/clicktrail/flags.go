package main

import (
	"time"

	"github.com/urfave/cli/v2"
)

// Flags of the redirect node (redirect and dev) and the global ones. Every
// flag can also be set through the environment variable named in its
// EnvVars. The flags of the stages, the workers, Kafka and the batch bounds
// are not declared here: they are the tags of their config structs
// (internal/cliflag; stages.go, workers.go).

var logLevelFlag = &cli.StringFlag{
	Name: "log-level", Value: "info", EnvVars: []string{"CLICKTRAIL_LOG_LEVEL"},
	Usage: "debug, info, warn or error; normal operation logs nothing below warn except start and stop",
}

var logFormatFlag = &cli.StringFlag{
	Name: "log-format", EnvVars: []string{"CLICKTRAIL_LOG_FORMAT"},
	Usage: "json (one JSON object a line, for log collectors) or text; default json, text for dev",
}

var (
	dataDirFlag = &cli.StringFlag{
		Name: "data-dir", Value: ".local/dev", EnvVars: []string{"CLICKTRAIL_DATA_DIR"},
		Usage: "directory of the pebble link store and the durable click spool",
	}
	redirectAddrFlag = &cli.StringFlag{
		Name: "redirect-addr", Value: "127.0.0.1:8080", EnvVars: []string{"CLICKTRAIL_REDIRECT_ADDR"},
		Usage: "listen address of the redirector (public traffic)",
	}
	apiAddrFlag = &cli.StringFlag{
		Name: "api-addr", Value: "127.0.0.1:8081", EnvVars: []string{"CLICKTRAIL_API_ADDR"},
		Usage: "listen address of the link API (its own listener, never the redirect one)",
	}
	// The servers read CLICKTRAIL_API_KEY, the one name the clients read
	// too (canonical), or the older CLICKTRAIL_API_KEYS, which wins when
	// both are set so that a deployment's list keeps working.
	apiKeyFlag = &cli.StringSliceFlag{
		Name: "api-key", EnvVars: []string{"CLICKTRAIL_API_KEYS", "CLICKTRAIL_API_KEY"},
		Usage: "bearer key accepted by the link API (repeat or comma-separate); kept only as a hash in memory. " +
			"Environment: CLICKTRAIL_API_KEY, what the CLI's client commands read too (CLICKTRAIL_API_KEYS still works)",
	}
	defaultDomainFlag = &cli.StringFlag{
		Name: "default-domain", EnvVars: []string{"CLICKTRAIL_DEFAULT_DOMAIN"},
		Usage: "domain of links created without one (dev: localhost; every Host is served as it)",
	}
	shortURLSchemeFlag = &cli.StringFlag{
		Name: "short-url-scheme", Value: "https", EnvVars: []string{"CLICKTRAIL_SHORT_URL_SCHEME"},
		Usage: "scheme of the short_url the API returns (dev: http)",
	}
	trustedProxyFlag = &cli.StringSliceFlag{
		Name: "trusted-proxy", EnvVars: []string{"CLICKTRAIL_TRUSTED_PROXIES"},
		Usage: "CIDR of a load balancer whose X-Forwarded-For is believed (repeatable)",
	}
	rateBurstFlag = &cli.IntFlag{
		Name: "api-rate-burst", Value: 200, EnvVars: []string{"CLICKTRAIL_API_RATE_BURST"},
		Usage: "requests an API key may send at once before it is rate limited",
	}
	ratePerSecondFlag = &cli.Float64Flag{
		Name: "api-rate-per-second", Value: 50, EnvVars: []string{"CLICKTRAIL_API_RATE_PER_SECOND"},
		Usage: "sustained requests per second per API key; -1 turns rate limiting off",
	}
	destAllowFlag = &cli.StringSliceFlag{
		Name: "dest-allow-host", EnvVars: []string{"CLICKTRAIL_DEST_ALLOW_HOSTS"},
		Usage: "when set, only these destination hosts are accepted (host or *.suffix, repeatable)",
	}
	destDenyFlag = &cli.StringSliceFlag{
		Name: "dest-deny-host", EnvVars: []string{"CLICKTRAIL_DEST_DENY_HOSTS"},
		Usage: "destination hosts refused (host or *.suffix, repeatable)",
	}
	destBlocklistFlag = &cli.StringFlag{
		Name: "dest-blocklist-file", EnvVars: []string{"CLICKTRAIL_DEST_BLOCKLIST_FILE"},
		Usage: "file of known-bad destination hosts, one host or *.suffix per line (# comments)",
	}
	destAllowPrivateFlag = &cli.BoolFlag{
		Name: "dest-allow-private", EnvVars: []string{"CLICKTRAIL_DEST_ALLOW_PRIVATE"},
		Usage: "accept destinations on private, loopback and link-local addresses (development only)",
	}
	debugAddrFlag = &cli.StringFlag{
		Name: "debug-addr", EnvVars: []string{"CLICKTRAIL_DEBUG_ADDR"},
		Usage: "listen address for /debug/pprof (keep it on loopback); empty: off",
	}
	spoolSyncFlag = &cli.StringFlag{
		Name: "spool-sync", Value: "interval", EnvVars: []string{"CLICKTRAIL_SPOOL_SYNC"},
		Usage: "interval: fsync every --spool-flush-interval (a kill -9 loses at most that window); always: fsync every click",
	}
	spoolFlushFlag = &cli.DurationFlag{
		Name: "spool-flush-interval", Value: 5 * time.Millisecond, EnvVars: []string{"CLICKTRAIL_SPOOL_FLUSH_INTERVAL"},
		Usage: "how often the spool is synced in interval mode",
	}
	spoolMaxBytesFlag = &cli.Int64Flag{
		Name: "spool-max-bytes", Value: 1 << 30, EnvVars: []string{"CLICKTRAIL_SPOOL_MAX_BYTES"},
		Usage: "unsent backlog above which new clicks are refused (redirects still answer; refusals are counted and logged)",
	}
)

var (
	secretsKeyFlag = &cli.StringSliceFlag{
		Name: "secrets-key", EnvVars: []string{"CLICKTRAIL_SECRETS_KEYS"},
		Usage: "key sealing the secrets kept to be used (webhook signing and bulk callback secrets), " +
			"\"<id>:<base64 of 32 random bytes>\"; repeat to rotate: the first seals, the others still open " +
			"(default: a key kept in <data-dir>/secrets-key; keep production keys out of the data dir)",
	}
	clickIDParamFlag = &cli.StringFlag{
		Name: "click-id-param", Value: "ct_click", EnvVars: []string{"CLICKTRAIL_CLICK_ID_PARAM"},
		Usage: "query parameter that carries the click id to destinations of links with track_conversions",
	}
	redirectFrontEndFlag = &cli.StringFlag{
		Name: "redirect-front-end", Value: "fasthttp", EnvVars: []string{"CLICKTRAIL_REDIRECT_FRONT_END"},
		Usage: "HTTP server of the redirect listener: fasthttp (faster per core) or net/http; both answer the same",
	}
	checkDestinationsFlag = &cli.BoolFlag{
		Name: "check-destinations", EnvVars: []string{"CLICKTRAIL_CHECK_DESTINATIONS"},
		Usage: "request every active link's destinations on a schedule and emit link.destination_broken and " +
			"link.destination_recovered to webhooks (run it on one node: the one that serves the link API)",
	}
	checkIntervalFlag = &cli.DurationFlag{
		Name: "check-interval", Value: 6 * time.Hour, EnvVars: []string{"CLICKTRAIL_CHECK_INTERVAL"},
		Usage: "how often each link's destinations are checked (failures back off on their own schedule)",
	}
)
