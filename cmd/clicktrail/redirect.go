package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/internal/cliflag"
	"github.com/clicktrail/clicktrail/sinks/clickhouse"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

func redirectCmd() *cli.Command {
	kafka := app.DefaultKafka()
	// the redirector answers country rules and A/B buckets with enrich's
	// database and secret, and checks bulk-job callbacks as webhooks do
	var geo enrich.Config
	var hooks webhook.Config
	set := cliflag.Of(&kafka).
		Add(&geo, []string{"geoip-db", "hash-secret"}).
		Add(&hooks, []string{"webhook-allow-private"})
	return &cli.Command{
		Name:  "redirect",
		Usage: "serve redirects and the link API; clicks go through the local spool to Kafka",
		Flags: append([]cli.Flag{dataDirFlag, redirectAddrFlag, apiAddrFlag, apiKeyFlag, defaultDomainFlag,
			shortURLSchemeFlag, trustedProxyFlag, spoolSyncFlag, spoolFlushFlag, spoolMaxBytesFlag,
			debugAddrFlag, rateBurstFlag, ratePerSecondFlag, destAllowFlag, destDenyFlag, destBlocklistFlag, destAllowPrivateFlag,
			clickIDParamFlag, checkDestinationsFlag, checkIntervalFlag, redirectFrontEndFlag, secretsKeyFlag}, set.Flags()...),
		Action: func(c *cli.Context) error {
			set.Load(c)
			node, err := redirectNodeConfig(c)
			if err != nil {
				return err
			}
			node.Kafka = kafka
			if !node.Kafka.Enabled() {
				return fmt.Errorf("kafka-brokers: required (use `clicktrail dev` to run without Kafka)")
			}
			log := node.Logger
			if len(geo.HashSecret) == 0 {
				log.Warn("no --hash-secret: A/B variants are stable per node only (the secret is kept in the data dir)")
			}
			if node.VisitorSecret, err = secretOrStored(geo.HashSecret, node.DataDir); err != nil {
				return err
			}
			node.GeoIPPath = geo.GeoIPPath
			node.AllowPrivateCallbacks = hooks.AllowPrivate
			node.ClickIDParam = c.String(clickIDParamFlag.Name)
			node.OnReady = func(r, a string) { log.Info("redirect node ready", "redirect", r, "api", a) }
			ctx, stop := signalContext(c.Context)
			defer stop()
			return app.RunRedirectNode(ctx, node)
		},
	}
}

// printMigrateResult says which migrations a migrate run applied, then
// that the schema is up to date (or was already).
func printMigrateResult(w io.Writer, res app.MigrateResult) {
	for _, m := range res.Applied {
		fmt.Fprintf(w, "applied migration %s\n", m)
	}
	switch {
	case res.ServerVersion == "":
		// not connected: the error says why
	case len(res.Applied) == 0:
		fmt.Fprintf(w, "schema already up to date on ClickHouse %s: nothing to apply\n", res.ServerVersion)
	default:
		fmt.Fprintf(w, "schema up to date on ClickHouse %s: applied %d migration(s)\n", res.ServerVersion, len(res.Applied))
	}
}

func migrateCmd() *cli.Command {
	var ch clickhouse.Config
	set := cliflag.Of(&ch)
	return &cli.Command{
		Name:  "migrate",
		Usage: "create or update the ClickHouse database and tables (idempotent)",
		Flags: set.Flags(),
		Action: func(c *cli.Context) error {
			set.Load(c)
			ctx, stop := signalContext(c.Context)
			defer stop()
			res, err := app.MigrateSchema(ctx, ch, logger(c))
			printMigrateResult(c.App.Writer, res)
			return err
		},
	}
}
