package linkcheck

import "github.com/clicktrail/clicktrail/internal/netguard"

// ErrBlockedAddress is wrapped by a check's error when the destination's
// host resolves to an address the checker refuses to connect to (see
// internal/netguard.Guard, its dialer).
var ErrBlockedAddress = netguard.ErrNotPublic

// ResolveError is a failed lookup of a destination's host.
type ResolveError = netguard.ResolveError
