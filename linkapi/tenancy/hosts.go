package tenancy

import (
	"fmt"
	"strings"
)

// HostPatternProblem says why h is not a destination host pattern
// ("shop.example.com" or "*.example.com"), or returns "". Workspaces'
// host lists and linkapi.DestinationPolicy take these patterns.
func HostPatternProblem(h string) string {
	bare := strings.TrimPrefix(h, "*.")
	switch {
	case bare == "" || strings.HasSuffix(bare, "."):
		return fmt.Sprintf("%q: want a host or *.suffix", h)
	case strings.ContainsAny(bare, "*/:@ "):
		return fmt.Sprintf("%q: want a host or *.suffix (no scheme, port, path or inner *)", h)
	}
	return ""
}
