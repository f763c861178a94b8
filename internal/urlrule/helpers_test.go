package urlrule

import (
	"net/netip"

	"github.com/clicktrail/clicktrail/internal/netguard"
)

func publicForTest(a netip.Addr) bool { return netguard.Public(a) }
