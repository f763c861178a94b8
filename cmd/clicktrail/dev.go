package main

import (
	"crypto/rand"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/clicktrail/clicktrail/internal/app"
)

func devCmd() *cli.Command {
	return &cli.Command{
		Name:  "dev",
		Usage: "run link API, redirector, enrichment and sinks in one process on the embedded default",
		Description: "No external service is needed: links live in pebble under --data-dir, the local spool is\n" +
			"the event log, and enriched clicks go to ClickHouse when --clickhouse-dsn is given, else to\n" +
			"<data-dir>/clicks.jsonl. Any Host header is served as the default domain.",
		// the node's flags, then every stage's (dev runs them all)
		Flags: append([]cli.Flag{dataDirFlag, redirectAddrFlag, apiAddrFlag, apiKeyFlag, defaultDomainFlag,
			debugAddrFlag, rateBurstFlag, ratePerSecondFlag, destAllowFlag, destDenyFlag, destBlocklistFlag, destAllowPrivateFlag,
			clickIDParamFlag, trustedProxyFlag, spoolSyncFlag, spoolFlushFlag,
			spoolMaxBytesFlag, batchRecordsFlag, batchWaitFlag, checkDestinationsFlag, checkIntervalFlag,
			redirectFrontEndFlag}, stagesFlags(func(app.Stage) bool { return true })...),
		Action: func(c *cli.Context) error {
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
			secret, err := hashSecret(c, node.DataDir)
			if err != nil {
				return err
			}
			node.ClickIDParam = c.String(clickIDParamFlag.Name)
			key := node.APIKeys[0]
			node.OnReady = func(redirectURL, apiURL string) {
				printDevBanner(c, redirectURL, apiURL, key, generated)
			}
			ctx, stop := signalContext(c.Context)
			defer stop()
			return app.RunDev(ctx, app.Dev{
				RedirectNode: node,
				Enrich: app.Enrich{GeoIPPath: c.String(geoipFlag.Name), HashSecret: secret,
					InternalNetworks: c.StringSlice(internalNetworkFlag.Name)},
				ClickHouseDSN: c.String(clickhouseDSNFlag.Name),
				Batch:         batchConfig(c),
				// dev is a developer's machine: endpoints may be plain http, and
				// private ones only when asked for.
				Webhooks: app.Webhooks{AllowPrivate: c.Bool(webhookAllowPrivateFlag.Name),
					Timeout:           c.Duration(webhookTimeoutFlag.Name),
					Retention:         c.Duration(webhookRetentionFlag.Name),
					AttributionWindow: c.Duration(attributionWindowFlag.Name),
					AttributionWait:   c.Duration(attributionWaitFlag.Name)},
			})
		},
	}
}

func printDevBanner(c *cli.Context, redirectURL, apiURL, key string, generated bool) {
	w := c.App.Writer
	fmt.Fprintf(w, "clicktrail dev is running\n")
	fmt.Fprintf(w, "  redirector: %s\n  link API:   %s\n", redirectURL, apiURL)
	if generated {
		fmt.Fprintf(w, "  API key:    %s   (generated for this run; pass --api-key to fix one)\n", key)
	}
	fmt.Fprintf(w, "\nCreate a link and follow it:\n")
	fmt.Fprintf(w, "  curl -s -H 'Authorization: Bearer %s' -d '{\"destination_url\":\"https://example.com/spring\",\"path\":\"spring\"}' %s/v1/links\n", key, apiURL)
	fmt.Fprintf(w, "  curl -si %s/spring\n\n", redirectURL)
	if c.String(clickhouseDSNFlag.Name) == "" {
		fmt.Fprintf(w, "Enriched clicks are appended to %s/clicks.jsonl (give --clickhouse-dsn for ClickHouse).\n", c.String(dataDirFlag.Name))
	}
}
