package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/clicktrail/clicktrail/client"
	"github.com/urfave/cli/v2"
)

// integrationsCmd manages CRM integrations through /v1/integrations.
func integrationsCmd() *cli.Command {
	bodyFlags := []cli.Flag{
		&cli.StringFlag{Name: "crm", Usage: "hubspot, salesforce or pipedrive"},
		&cli.StringSliceFlag{Name: "event", Usage: "event to send (repeatable or comma-separated): click.created, conversion.attributed"},
		&cli.StringSliceFlag{Name: "setting", Usage: "KEY=VALUE setting (repeatable), e.g. instance_url=https://acme.my.salesforce.com"},
		&cli.StringFlag{Name: "credentials-file", Usage: `JSON object of credentials, e.g. {"token":"pat-..."} (kept off the command line and the process list; sealed at rest, never shown again)`},
		&cli.StringFlag{Name: "mapping", Usage: `field mapping as JSON, e.g. '{"click":{"utm_campaign":"utm_campaign","contact.last_link":"short_url"}}'`},
	}
	idCmd := func(name, usage string, call func(ctx context.Context, api *client.Client, id string, opts []client.CallOption) error) *cli.Command {
		return &cli.Command{Name: name, Usage: usage, ArgsUsage: "INTEGRATION_ID", Flags: []cli.Flag{apiURLFlag, clientKeyFlag},
			Action: func(c *cli.Context) error {
				id, err := oneArg(c, "integrations "+name, "INTEGRATION_ID")
				if err != nil {
					return err
				}
				return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
					return call(ctx, api, id, opts)
				})
			}}
	}
	return &cli.Command{
		Name:  "integrations",
		Usage: "manage the workspace's CRM integrations (HubSpot, Salesforce, Pipedrive) through /v1/integrations",
		Subcommands: []*cli.Command{
			{
				Name: "create", Usage: "connect a CRM; the answer names the credential keys set, never their values",
				Flags: append([]cli.Flag{apiURLFlag, clientKeyFlag}, bodyFlags...),
				Action: func(c *cli.Context) error {
					body, err := integrationBody(c)
					if err != nil {
						return err
					}
					if body.CRM == nil || body.Events == nil {
						return fmt.Errorf("integrations create: --crm and --event are required")
					}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.CreateIntegration(ctx, body, opts...)
						return err
					})
				},
			},
			{
				Name: "list", Usage: "list the workspace's integrations", Flags: []cli.Flag{apiURLFlag, clientKeyFlag},
				Action: func(c *cli.Context) error {
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.ListIntegrations(ctx, opts...)
						return err
					})
				},
			},
			idCmd("get", "print one integration", func(ctx context.Context, api *client.Client, id string, opts []client.CallOption) error {
				_, err := api.GetIntegration(ctx, id, opts...)
				return err
			}),
			{
				Name: "update", Usage: "change an integration (only the flags given; credentials given replace those keys)", ArgsUsage: "INTEGRATION_ID",
				Flags: append([]cli.Flag{apiURLFlag, clientKeyFlag, &cli.BoolFlag{Name: "enable"}, &cli.BoolFlag{Name: "disable"}}, bodyFlags...),
				Action: func(c *cli.Context) error {
					id, err := oneArg(c, "integrations update", "INTEGRATION_ID")
					if err != nil {
						return err
					}
					body, err := integrationBody(c)
					if err != nil {
						return err
					}
					switch {
					case c.Bool("enable") && c.Bool("disable"):
						return fmt.Errorf("integrations update: --enable or --disable, not both")
					case c.Bool("enable"), c.Bool("disable"):
						enabled := c.Bool("enable")
						body.Enabled = &enabled
					}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.UpdateIntegration(ctx, id, body, opts...)
						return err
					})
				},
			},
			idCmd("delete", "remove an integration", func(ctx context.Context, api *client.Client, id string, opts []client.CallOption) error {
				return api.DeleteIntegration(ctx, id, opts...)
			}),
		},
	}
}

// integrationBody reads the flags given into a request.
func integrationBody(c *cli.Context) (client.IntegrationRequest, error) {
	var b client.IntegrationRequest
	if c.IsSet("crm") {
		v := c.String("crm")
		b.CRM = &v
	}
	for _, e := range c.StringSlice("event") {
		for _, x := range strings.Split(e, ",") {
			if x = strings.TrimSpace(x); x != "" {
				b.Events = append(b.Events, x)
			}
		}
	}
	for _, kv := range c.StringSlice("setting") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return b, fmt.Errorf("--setting %q: want KEY=VALUE", kv)
		}
		if b.Settings == nil {
			b.Settings = map[string]string{}
		}
		b.Settings[k] = v
	}
	if p := c.String("credentials-file"); p != "" {
		raw, err := os.ReadFile(p)
		if err != nil {
			return b, fmt.Errorf("--credentials-file: %w", err)
		}
		if err := json.Unmarshal(raw, &b.Credentials); err != nil {
			return b, fmt.Errorf("--credentials-file: want a JSON object of strings: %w", err)
		}
	}
	if m := c.String("mapping"); m != "" {
		b.Mapping = &client.FieldMapping{}
		if err := json.Unmarshal([]byte(m), b.Mapping); err != nil {
			return b, fmt.Errorf("--mapping: %w", err)
		}
	}
	return b, nil
}
