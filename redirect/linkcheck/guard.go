package linkcheck

import (
	"net/netip"

	"github.com/clicktrail/clicktrail/internal/netguard"
)

// ErrBlockedAddress is wrapped by a check's error when the destination's
// host resolves to an address the checker refuses to connect to (see
// internal/netguard.Guard, its dialer).
var ErrBlockedAddress = netguard.ErrNotPublic

// ResolveError is a failed lookup of a destination's host.
type ResolveError = netguard.ResolveError

// nonPublic reports why a is not a public unicast address, or "" (see
// internal/netguard).
func nonPublic(a netip.Addr) string { return netguard.Reason(a) }
