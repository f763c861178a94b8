package webhook

import "github.com/clicktrail/clicktrail/internal/netguard"

// ErrBlockedAddress is wrapped by the errors of Deliver (the Result's Err)
// and of the endpoint API when an endpoint's host is, or resolves to, an
// address that is not public (internal/netguard decides which are).
var ErrBlockedAddress = netguard.ErrNotPublic
