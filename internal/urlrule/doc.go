// Package urlrule is the one rule every URL a user gives clicktrail must
// pass: link destinations, expired_url, A/B variants, routing-rule
// destinations (including app deep links), webhook endpoints, bulk-job
// callbacks and CRM integration URLs. Each of those call sites calls
// Policy.Check; none parses or judges a URL on its own.
//
// The rule has two halves:
//
//   - Syntax and normalization (Parse): the URL is read the way browsers
//     (WHATWG URL) and Go's HTTP client read it, so that what is checked is
//     what will be fetched or followed. The host is mapped with UTS-46
//     (IDNA, non-transitional, the lookup profile browsers use): full-width
//     letters and digits, the ideographic full stop "。" and the full-width
//     "．" become ASCII, so "ｌｏｃａｌｈｏｓｔ" is "localhost" and
//     "127。0。0。1" is "127.0.0.1". A host whose last label is a number is an
//     IPv4 literal in any of the WHATWG forms ("2130706433", "0x7f.1",
//     "0177.0.0.1"). Ports are 1 to 65535, hosts at most 253 bytes in
//     ASCII, labels at most 63. The URL that comes out carries the ASCII
//     (punycode) host and the canonical address, and is what gets stored
//     and sent in a 302.
//   - Policy (Policy.Check): scheme, credentials, the operator's blocklist,
//     deny and allow lists, the workspace's own lists, and no host that is
//     or resolves to a non-public address (internal/netguard decides which
//     addresses are public). Lists are matched against the normalized host,
//     and their entries are normalized the same way.
//
// DNS can change after a check, so anything that connects to a checked
// host must also dial through netguard.Guard, which connects only to the
// addresses it checked.
package urlrule
