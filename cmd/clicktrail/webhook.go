package main

import (
	"github.com/urfave/cli/v2"

	"github.com/clicktrail/clicktrail/internal/app"
)

var (
	webhookAllowPrivateFlag = &cli.BoolFlag{
		Name: "webhook-allow-private", EnvVars: []string{"CLICKTRAIL_WEBHOOK_ALLOW_PRIVATE"},
		Usage: "let webhook endpoints resolve to private and loopback addresses (tests and local development only)",
	}
	webhookProductionFlag = &cli.BoolFlag{
		Name: "webhook-production", Value: true, EnvVars: []string{"CLICKTRAIL_WEBHOOK_PRODUCTION"},
		Usage: "refuse http:// webhook endpoint URLs",
	}
	webhookAPIAddrFlag = &cli.StringFlag{
		Name: "api-addr", EnvVars: []string{"CLICKTRAIL_WEBHOOK_API_ADDR"},
		Usage: "serve the endpoint API (/v1/webhooks/...) of this sink's registry on this address, behind --api-key",
	}
	linkAPIURLFlag = &cli.StringFlag{
		Name: "link-api-url", EnvVars: []string{"CLICKTRAIL_LINK_API_URL"},
		Usage: "the link API (a redirect node's API address) that vouches for API keys: with it, every workspace's " +
			"keys with the webhooks scopes manage their own endpoints at --api-addr; without it only --api-key works",
	}
	webhookTimeoutFlag = &cli.DurationFlag{
		Name: "webhook-timeout", EnvVars: []string{"CLICKTRAIL_WEBHOOK_TIMEOUT"},
		Usage: "bound on each delivery attempt (default 10s)",
	}
)

// webhookSinkCmd is `clicktrail sink webhook`.
func webhookSinkCmd() *cli.Command {
	return &cli.Command{
		Name: "webhook",
		Usage: "consume enriched clicks and the webhook retry topic from Kafka and deliver signed webhooks " +
			"to the endpoints registered in <data-dir>/webhooks",
		Flags: []cli.Flag{kafkaBrokersFlag, topicPrefixFlag, partitionsFlag, replicationFlag, groupFlag,
			dataDirFlag, webhookAllowPrivateFlag, webhookProductionFlag, webhookTimeoutFlag, webhookRetentionFlag,
			webhookAPIAddrFlag, apiKeyFlag, linkAPIURLFlag, batchRecordsFlag, batchWaitFlag, secretsKeyFlag,
			attributionWindowFlag, attributionWaitFlag},
		Action: func(c *cli.Context) error {
			ctx, stop := signalContext(c.Context)
			defer stop()
			return app.RunWebhookSink(ctx, app.WebhookSink{
				Kafka:   kafkaConfig(c),
				Group:   c.String(groupFlag.Name),
				DataDir: c.String(dataDirFlag.Name),
				Webhooks: app.Webhooks{
					AllowPrivate:      c.Bool(webhookAllowPrivateFlag.Name),
					Production:        c.Bool(webhookProductionFlag.Name),
					Timeout:           c.Duration(webhookTimeoutFlag.Name),
					Retention:         c.Duration(webhookRetentionFlag.Name),
					AttributionWindow: c.Duration(attributionWindowFlag.Name),
					AttributionWait:   c.Duration(attributionWaitFlag.Name),
				},
				APIAddr:    c.String(webhookAPIAddrFlag.Name),
				APIKeys:    c.StringSlice(apiKeyFlag.Name),
				LinkAPIURL: c.String(linkAPIURLFlag.Name),
				SecretKeys: c.StringSlice(secretsKeyFlag.Name),
				Batch:      batchConfig(c),
				Logger:     logger(c),
			})
		},
	}
}

// withSubcommands returns cmd with subs appended to its subcommands.
func withSubcommands(cmd *cli.Command, subs ...*cli.Command) *cli.Command {
	cmd.Subcommands = append(cmd.Subcommands, subs...)
	return cmd
}
