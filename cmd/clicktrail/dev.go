package main

import (
	"crypto/rand"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/internal/cliflag"
)

func devCmd() *cli.Command {
	cfg := app.Dev{StageConfigs: app.DefaultStageConfigs(), Batch: app.DefaultBatch()}
	set := cliflag.Of(&cfg.Batch)
	addStageFlags(set, &cfg.StageConfigs, func(app.Stage) bool { return true }) // dev runs them all
	return &cli.Command{
		Name:  "dev",
		Usage: "run link API, redirector, enrichment and sinks in one process on the embedded default",
		Description: "No external service is needed: links live in pebble under --data-dir, the local spool is\n" +
			"the event log, and enriched clicks go to ClickHouse when --clickhouse-dsn is given, else to\n" +
			"<data-dir>/clicks.jsonl. Any Host header is served as the default domain.",
		// the node's flags, then the batch bounds and every stage's
		Flags: append([]cli.Flag{dataDirFlag, redirectAddrFlag, apiAddrFlag, apiKeyFlag, defaultDomainFlag,
			debugAddrFlag, rateBurstFlag, ratePerSecondFlag, destAllowFlag, destDenyFlag, destBlocklistFlag, destAllowPrivateFlag,
			clickIDParamFlag, trustedProxyFlag, spoolSyncFlag, spoolFlushFlag,
			spoolMaxBytesFlag, checkDestinationsFlag, checkIntervalFlag,
			redirectFrontEndFlag}, set.Flags()...),
		Action: func(c *cli.Context) error {
			set.Load(c)
			node, err := redirectNodeConfig(c)
			if err != nil {
				return err
			}
			node.AnyHost = true
			if !c.IsSet(shortURLSchemeFlag.Name) {
				node.ShortURLScheme = "http"
			}
			if node.DefaultDomain == "" {
				node.DefaultDomain = "localhost"
			}
			generated := len(node.APIKeys) == 0
			if generated {
				node.APIKeys = []string{"ct_dev_" + rand.Text()}
			}
			if cfg.Enrich.HashSecret, err = secretOrStored(cfg.Enrich.HashSecret, node.DataDir); err != nil {
				return err
			}
			// dev is a developer's machine: endpoints may be plain http, and
			// private ones (and bulk-job callbacks) only when asked for.
			node.AllowPrivateCallbacks = cfg.Webhooks.Delivery.AllowPrivate
			node.ClickIDParam = c.String(clickIDParamFlag.Name)
			key := node.APIKeys[0]
			node.OnReady = func(redirectURL, apiURL string) {
				printDevBanner(c, redirectURL, apiURL, key, generated)
			}
			cfg.RedirectNode = node
			ctx, stop := signalContext(c.Context)
			defer stop()
			return app.RunDev(ctx, cfg)
		},
	}
}

// printDevBanner tells the person running dev where things are. The API
// key appears masked (maskKey), except a generated one, whose full value
// is printed once, as the export line the curl example uses: nobody could
// use the API otherwise. A key given with --api-key is never printed.
func printDevBanner(c *cli.Context, redirectURL, apiURL, key string, generated bool) {
	w := c.App.Writer
	fmt.Fprintf(w, "clicktrail dev is running\n")
	fmt.Fprintf(w, "  redirector: %s\n  link API:   %s\n", redirectURL, apiURL)
	if generated {
		fmt.Fprintf(w, "  API key:    %s   (generated for this run; make dev keeps one in .local/dev.env, or give CLICKTRAIL_API_KEY)\n", maskKey(key))
	} else {
		fmt.Fprintf(w, "  API key:    %s   (given: CLICKTRAIL_API_KEY or --api-key; make dev's is in .local/dev.env)\n", maskKey(key))
	}
	fmt.Fprintf(w, "\nCreate a link and follow it:\n")
	if generated {
		fmt.Fprintf(w, "  export CLICKTRAIL_API_KEY=%s   # the generated key, shown this once\n", key)
	}
	for _, line := range devExample(redirectURL, apiURL) {
		fmt.Fprintf(w, "  %s\n", line)
	}
	fmt.Fprintln(w)
	if c.String("clickhouse-dsn") == "" {
		fmt.Fprintf(w, "Enriched clicks are appended to %s/clicks.jsonl (give --clickhouse-dsn for ClickHouse).\n", c.String(dataDirFlag.Name))
	}
}

// devExample is the banner's example, which the README shows too (a test
// checks that they agree): create a link, follow it.
func devExample(redirectURL, apiURL string) []string {
	return []string{
		`curl -s -H "Authorization: Bearer $CLICKTRAIL_API_KEY" -d '{"destination_url":"https://example.com/spring","path":"spring","utm":{"source":"newsletter"}}' ` + apiURL + "/v1/links",
		"curl -si " + redirectURL + "/spring",
	}
}

// maskKey shows enough of an API key to recognise it (its first 10
// characters, as a created key's prefix does) and nothing that works.
func maskKey(key string) string {
	const shown = 10
	if len(key) <= 2*shown { // too short to show any of it safely
		return "…"
	}
	return key[:shown] + "…"
}
