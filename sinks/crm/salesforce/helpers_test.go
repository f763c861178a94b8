package salesforce_test

import "github.com/clicktrail/clicktrail/sinks/crm/crmfake"

func crmfakeFault(status int, h map[string]string, body string) crmfake.Fault {
	return crmfake.Fault{Status: status, Header: h, Body: body}
}
