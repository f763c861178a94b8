package pipedrive_test

import (
	"strings"

	"github.com/clicktrail/clicktrail/sinks/crm/crmfake"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func crmfakeFault(status int, body string) crmfake.Fault {
	return crmfake.Fault{Status: status, Body: body}
}
