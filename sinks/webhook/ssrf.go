package webhook

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/clicktrail/clicktrail/internal/netguard"
)

// ErrBlockedAddress is returned (wrapped) when an endpoint resolves to an
// address the SSRF guard refuses.
var ErrBlockedAddress = errors.New("endpoint address not allowed")

// checkAddr returns nil if an endpoint may be reached at a.
func checkAddr(a netip.Addr) error {
	if reason := blockedReason(a); reason != "" {
		return fmt.Errorf("%w: %s is %s", ErrBlockedAddress, a, reason)
	}
	return nil
}

// blockedReason says why an endpoint must not be reached at a, or "" (see
// internal/netguard).
func blockedReason(a netip.Addr) string { return netguard.Reason(a) }
