package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/clicktrail/clicktrail/internal/app"
)

func redirectCmd() *cli.Command {
	return &cli.Command{
		Name:  "redirect",
		Usage: "serve redirects and the link API; clicks go through the local spool to Kafka",
		Flags: []cli.Flag{dataDirFlag, redirectAddrFlag, apiAddrFlag, apiKeyFlag, defaultDomainFlag,
			shortURLSchemeFlag, trustedProxyFlag, spoolSyncFlag, spoolFlushFlag, spoolMaxBytesFlag,
			debugAddrFlag, rateBurstFlag, ratePerSecondFlag, destAllowFlag, destDenyFlag, destBlocklistFlag, destAllowPrivateFlag,
			kafkaBrokersFlag, topicPrefixFlag, partitionsFlag, replicationFlag, geoipFlag, hashSecretFlag,
			clickIDParamFlag, checkDestinationsFlag, checkIntervalFlag, webhookAllowPrivateFlag, redirectFrontEndFlag, secretsKeyFlag},
		Action: func(c *cli.Context) error {
			node, err := redirectNodeConfig(c)
			if err != nil {
				return err
			}
			node.Kafka = kafkaConfig(c)
			if !node.Kafka.Enabled() {
				return fmt.Errorf("kafka-brokers: required (use `clicktrail dev` to run without Kafka)")
			}
			log := node.Logger
			if !c.IsSet(hashSecretFlag.Name) {
				log.Warn("no --hash-secret: A/B variants are stable per node only (the secret is kept in the data dir)")
			}
			if node.VisitorSecret, err = hashSecret(c, node.DataDir); err != nil {
				return err
			}
			node.GeoIPPath = c.String(geoipFlag.Name)
			node.ClickIDParam = c.String(clickIDParamFlag.Name)
			node.OnReady = func(r, a string) { log.Info("redirect node ready", "redirect", r, "api", a) }
			ctx, stop := signalContext(c.Context)
			defer stop()
			return app.RunRedirectNode(ctx, node)
		},
	}
}

func enrichCmd() *cli.Command {
	return &cli.Command{
		Name:  "enrich",
		Usage: "consume raw clicks from Kafka, enrich them, produce enriched clicks",
		Flags: []cli.Flag{kafkaBrokersFlag, topicPrefixFlag, partitionsFlag, replicationFlag, groupFlag,
			geoipFlag, hashSecretFlag, internalNetworkFlag, batchRecordsFlag, batchWaitFlag},
		Action: func(c *cli.Context) error {
			secret, err := hashSecret(c, "")
			if err != nil {
				return err
			}
			ctx, stop := signalContext(c.Context)
			defer stop()
			return app.RunEnrichWorker(ctx, app.EnrichWorker{
				Kafka: kafkaConfig(c),
				Group: c.String(groupFlag.Name),
				Enrich: app.Enrich{GeoIPPath: c.String(geoipFlag.Name), HashSecret: secret,
					InternalNetworks: c.StringSlice(internalNetworkFlag.Name)},
				Batch:  batchConfig(c),
				Logger: logger(c),
			})
		},
	}
}

func sinkCmd() *cli.Command {
	return &cli.Command{
		Name:  "sink",
		Usage: "run a sink",
		Subcommands: []*cli.Command{{
			Name:  "clickhouse",
			Usage: "consume enriched clicks from Kafka and insert them into ClickHouse in batches",
			Flags: []cli.Flag{kafkaBrokersFlag, topicPrefixFlag, partitionsFlag, replicationFlag, groupFlag,
				clickhouseDSNFlag, batchRecordsFlag, batchWaitFlag},
			Action: func(c *cli.Context) error {
				ctx, stop := signalContext(c.Context)
				defer stop()
				return app.RunClickHouseSink(ctx, app.ClickHouseSink{
					Kafka:  kafkaConfig(c),
					Group:  c.String(groupFlag.Name),
					DSN:    c.String(clickhouseDSNFlag.Name),
					Batch:  batchConfig(c),
					Logger: logger(c),
				})
			},
		}},
	}
}

func migrateCmd() *cli.Command {
	return &cli.Command{
		Name:  "migrate",
		Usage: "create or update the ClickHouse database and tables (idempotent)",
		Flags: []cli.Flag{clickhouseDSNFlag},
		Action: func(c *cli.Context) error {
			ctx, stop := signalContext(c.Context)
			defer stop()
			v, err := app.Migrate(ctx, c.String(clickhouseDSNFlag.Name), logger(c))
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "schema up to date on ClickHouse %s\n", v)
			return nil
		},
	}
}
