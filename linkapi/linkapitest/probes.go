// Package linkapitest holds the test data that the link API's tests and
// its bulk jobs' tests (linkapi/bulk) share: the outside probe's URLs and
// the link bodies that carry them. It imports nothing of linkapi, so that
// linkapi's internal tests can use it; the codes are the wire values of
// linkapi.CodeInvalidField and linkapi.CodeDestinationRefused. Nothing
// outside tests imports it.
package linkapitest

import (
	"strconv"
	"strings"

	"github.com/clicktrail/clicktrail/internal/urlrule"
)

// Error codes the probes answer, as the link API writes them.
const (
	CodeInvalidField       = "invalid_field"
	CodeDestinationRefused = "destination_refused"
)

// ProbeURLs are the outside probe's URLs of issue 11, each with the answer
// every URL field must give it: code and rule. evil.com is on the
// workspace's deny list in the tests that use them.
var ProbeURLs = []struct{ Name, URL, Code, Rule string }{
	{"gopher", "gopher://127.0.0.1:6379/_SET%20x%201", CodeInvalidField, urlrule.RuleScheme},
	{"ftp private", "ftp://10.0.0.1", CodeInvalidField, urlrule.RuleScheme},
	{"ideographic full stops", "http://127。0。0。1/", CodeDestinationRefused, urlrule.RulePrivateAddress},
	{"full-width full stops", "http://127．0．0．1/", CodeDestinationRefused, urlrule.RulePrivateAddress},
	{"full-width localhost", "http://ｌｏｃａｌｈｏｓｔ/", CodeDestinationRefused, urlrule.RulePrivateAddress},
	{"full-width denied host", "https://ｅｖｉｌ.com/", CodeDestinationRefused, urlrule.RuleWorkspaceDenyList},
	{"denied host", "https://EVIL.com./x", CodeDestinationRefused, urlrule.RuleWorkspaceDenyList},
	{"port 0", "https://example.org:0/", CodeInvalidField, urlrule.RulePort},
	{"port 65536", "https://example.org:65536/", CodeInvalidField, urlrule.RulePort},
	{"host over 253 bytes", "https://" + strings.Repeat("a.", 127) + "org/", CodeInvalidField, urlrule.RuleHost},
}

// ProbeBodies puts u in each URL field of a link body, with the field the
// error must name.
func ProbeBodies(u string) []struct{ Field, Body string } {
	q := strconv.Quote(u)
	return []struct{ Field, Body string }{
		{"destination_url", `{"destination_url":` + q + `}`},
		{"expired_url", `{"destination_url":"https://example.org/","expired_url":` + q + `}`},
		{"variants[1].destination_url", `{"destination_url":"https://example.org/","variants":[{"id":"a","weight":1,"destination_url":"https://example.org/a"},{"id":"b","weight":1,"destination_url":` + q + `}]}`},
		{"rules[0].destination_url", `{"destination_url":"https://example.org/","rules":[{"id":"r","os":["ios"],"destination_url":` + q + `}]}`},
	}
}
