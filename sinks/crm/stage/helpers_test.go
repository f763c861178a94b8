package stage_test

import (
	"strings"

	"github.com/clicktrail/clicktrail/sinks/crm/crmfake"
)

type crmfakeFault = crmfake.Fault

func contains(s, sub string) bool { return strings.Contains(s, sub) }
