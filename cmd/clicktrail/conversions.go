package main

import (
	"context"

	"github.com/clicktrail/clicktrail/client"
	"github.com/urfave/cli/v2"
)

// conversionsCmd reports conversions to the link API, for shops and CRMs
// scripting it and for checking an attribution set-up by hand.
func conversionsCmd() *cli.Command {
	return &cli.Command{
		Name:  "conversions",
		Usage: "report conversions (leads, sign-ups, sales) through the link API",
		Subcommands: []*cli.Command{
			{
				Name: "report",
				Usage: "report one conversion and print the accepted conversion as JSON; it is attributed to the " +
					"click (or the contact's latest click) and sent to webhooks as conversion.attributed",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag, idempotencyFlag,
					&cli.StringFlag{Name: "name", Required: true, Usage: "what happened: lead, signup, purchase, ..."},
					&cli.StringFlag{Name: "click-id", Usage: "the click id the destination received as ct_click"},
					&cli.StringFlag{Name: "contact-id", Usage: "the contact's id in your CRM (its latest click is credited when no click id is given)"},
					&cli.StringFlag{Name: "external-id", Usage: "your id of the conversion (an order number): reports with the same one are one event"},
					&cli.Int64Flag{Name: "amount", Usage: "value in minor units of --currency (4999 is 49.99 EUR)"},
					&cli.StringFlag{Name: "currency", Usage: "ISO 4217 code, e.g. EUR"},
					&cli.StringFlag{Name: "occurred-at", Usage: "when it happened (RFC 3339); now when empty"},
					&cli.StringSliceFlag{Name: "metadata", Usage: "key=value (repeatable)"},
				},
				Action: func(c *cli.Context) error {
					req := client.ConversionRequest{Name: c.String("name"), ClickID: c.String("click-id"),
						ContactID: c.String("contact-id"), ExternalID: c.String("external-id"),
						Currency: c.String("currency"), OccurredAt: c.String("occurred-at")}
					if c.IsSet("amount") {
						amount := c.Int64("amount")
						req.Amount = &amount
					}
					md, err := metadataFlag(c)
					if err != nil {
						return err
					}
					req.Metadata = md
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.ReportConversion(ctx, req, opts...)
						return err
					})
				},
			},
		},
	}
}
