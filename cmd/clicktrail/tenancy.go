package main

import (
	"context"
	"strings"

	"github.com/clicktrail/clicktrail/client"
	"github.com/urfave/cli/v2"
)

// keysCmd manages API keys: a key is shown once, when created; the server
// keeps only its hash.
func keysCmd() *cli.Command {
	return &cli.Command{
		Name:  "keys",
		Usage: "create, list and revoke API keys through the link API",
		Subcommands: []*cli.Command{
			{
				Name:  "create",
				Usage: "create a key and print it as JSON; its \"key\" is shown this once",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag, idempotencyFlag,
					&cli.StringFlag{Name: "name", Required: true, Usage: "what the key is for"},
					&cli.StringSliceFlag{Name: "scope", Required: true, Usage: "scope (repeatable or comma-separated), e.g. links:read,links:write"},
					&cli.StringFlag{Name: "workspace", Usage: "workspace id (bootstrap keys only); the caller's own when empty"},
				},
				Action: func(c *cli.Context) error {
					var scopes []string
					for _, s := range c.StringSlice("scope") {
						for _, part := range strings.Split(s, ",") {
							if part = strings.TrimSpace(part); part != "" {
								scopes = append(scopes, part)
							}
						}
					}
					req := client.CreateKeyRequest{Name: c.String("name"), Scopes: scopes, WorkspaceID: c.String("workspace")}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.CreateKey(ctx, req, opts...)
						return err
					})
				},
			},
			{
				Name:  "list",
				Usage: "list the workspace's keys (never their secrets)",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag},
				Action: func(c *cli.Context) error {
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.ListKeys(ctx, opts...)
						return err
					})
				},
			},
			{
				Name:      "revoke",
				Usage:     "revoke a key: it answers 401 from now on",
				ArgsUsage: "KEY_ID",
				Flags:     []cli.Flag{apiURLFlag, clientKeyFlag},
				Action: func(c *cli.Context) error {
					id, err := oneArg(c, "keys revoke", "KEY_ID")
					if err != nil {
						return err
					}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.RevokeKey(ctx, id, opts...)
						return err
					})
				},
			},
		},
	}
}

// workspacesCmd manages workspaces (bootstrap keys only).
func workspacesCmd() *cli.Command {
	return &cli.Command{
		Name:  "workspaces",
		Usage: "create and list workspaces (needs a bootstrap key)",
		Subcommands: []*cli.Command{
			{
				Name:      "create",
				Usage:     "create a workspace and print it as JSON",
				ArgsUsage: "NAME",
				Flags:     []cli.Flag{apiURLFlag, clientKeyFlag},
				Action: func(c *cli.Context) error {
					name, err := oneArg(c, "workspaces create", "NAME")
					if err != nil {
						return err
					}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.CreateWorkspace(ctx, name, opts...)
						return err
					})
				},
			},
			{
				Name:  "list",
				Usage: "list the workspaces",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag},
				Action: func(c *cli.Context) error {
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.ListWorkspaces(ctx, opts...)
						return err
					})
				},
			},
		},
	}
}

// domainsCmd manages the workspace's branded domains.
func domainsCmd() *cli.Command {
	return &cli.Command{
		Name:  "domains",
		Usage: "register, list and remove the workspace's branded domains",
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     "register a domain for the workspace's links",
				ArgsUsage: "DOMAIN",
				Flags:     []cli.Flag{apiURLFlag, clientKeyFlag},
				Action: func(c *cli.Context) error {
					d, err := oneArg(c, "domains add", "DOMAIN")
					if err != nil {
						return err
					}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.AddDomain(ctx, d, opts...)
						return err
					})
				},
			},
			{
				Name:  "list",
				Usage: "list the workspace's domains",
				Flags: []cli.Flag{apiURLFlag, clientKeyFlag},
				Action: func(c *cli.Context) error {
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.ListDomains(ctx, opts...)
						return err
					})
				},
			},
			{
				Name:      "remove",
				Usage:     "unregister a domain (its links keep redirecting)",
				ArgsUsage: "DOMAIN",
				Flags:     []cli.Flag{apiURLFlag, clientKeyFlag},
				Action: func(c *cli.Context) error {
					d, err := oneArg(c, "domains remove", "DOMAIN")
					if err != nil {
						return err
					}
					return callAPI(c, func(ctx context.Context, api *client.Client, opts []client.CallOption) error {
						_, err := api.RemoveDomain(ctx, d, opts...)
						return err
					})
				},
			},
		},
	}
}
