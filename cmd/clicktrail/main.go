// Command clicktrail runs clicktrail's processes. It only parses flags (each
// also readable from a CLICKTRAIL_* environment variable) into the configs of
// internal/app and runs them; see `clicktrail help`.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newApp().Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "clicktrail:", err)
		os.Exit(1)
	}
}
