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
		Flags: []cli.Flag{dataDirFlag, redirectAddrFlag, apiAddrFlag, apiKeyFlag, defaultDomainFlag,
			debugAddrFlag, rateBurstFlag, ratePerSecondFlag, destAllowFlag, destDenyFlag, destBlocklistFlag, destAllowPrivateFlag,
			webhookAllowPrivateFlag, geoipFlag, hashSecretFlag, secretsKeyFlag, clickIDParamFlag, clickhouseDSNFlag, trustedProxyFlag, spoolSyncFlag, spoolFlushFlag,
			spoolMaxBytesFlag, batchRecordsFlag, batchWaitFlag, checkDestinationsFlag, checkIntervalFlag,
			internalNetworkFlag, webhookRetentionFlag, redirectFrontEndFlag, attributionWindowFlag, attributionWaitFlag},
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
					Retention:         c.Duration(webhookRetentionFlag.Name),
					AttributionWindow: c.Duration(attributionWindowFlag.Name),
					AttributionWait:   c.Duration(attributionWaitFlag.Name)},
			})
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
		fmt.Fprintf(w, "  API key:    %s   (generated for this run; pass --api-key to fix one)\n", maskKey(key))
	} else {
		fmt.Fprintf(w, "  API key:    %s   (from --api-key)\n", maskKey(key))
	}
	fmt.Fprintf(w, "\nCreate a link and follow it:\n")
	if generated {
		fmt.Fprintf(w, "  export CLICKTRAIL_API_KEY=%s   # the generated key, shown this once\n", key)
	}
	fmt.Fprintf(w, "  curl -s -H \"Authorization: Bearer $CLICKTRAIL_API_KEY\" -d '{\"destination_url\":\"https://example.com/spring\",\"path\":\"spring\"}' %s/v1/links\n", apiURL)
	fmt.Fprintf(w, "  curl -si %s/spring\n\n", redirectURL)
	if c.String(clickhouseDSNFlag.Name) == "" {
		fmt.Fprintf(w, "Enriched clicks are appended to %s/clicks.jsonl (give --clickhouse-dsn for ClickHouse).\n", c.String(dataDirFlag.Name))
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
