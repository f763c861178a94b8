package main

import "github.com/urfave/cli/v2"

// linksBulkCmd is `clicktrail links bulk`.
func linksBulkCmd() *cli.Command {
	return &cli.Command{Name: "bulk", Usage: "create links in bulk (not yet)", Hidden: true}
}
