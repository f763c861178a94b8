package urlrule

import (
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Rules a URL can be refused under, in Error.Rule (and in the "rule" member
// of the API's destination_refused error body).
const (
	RuleSyntax      = "syntax"      // empty, too long, spaces or control characters, not a URL
	RuleScheme      = "scheme"      // not http or https (or, for deep links, a network or script scheme)
	RuleCredentials = "credentials" // user:password@ in the URL
	RuleHost        = "host"        // no host, or one browsers would refuse or map differently
	RulePort        = "port"        // a port outside 1-65535
	RuleBlocklist   = "blocklist"   // host matches Policy.Blocklist
	RuleDenyList    = "deny_list"   // host matches Policy.DenyHosts
	// RuleNotInAllowList: Policy.AllowHosts is set and the host matches none.
	RuleNotInAllowList = "not_in_allow_list"
	// RuleWorkspaceDenyList and RuleWorkspaceNotInAllowList are the
	// workspace's own lists (Policy.WorkspaceDenyHosts and
	// WorkspaceAllowHosts), checked after the operator's.
	RuleWorkspaceDenyList       = "workspace_deny_list"
	RuleWorkspaceNotInAllowList = "workspace_not_in_allow_list"
	RulePrivateAddress          = "private_address" // host is, or resolves to, a non-public address
	RuleUnresolvable            = "unresolvable"    // Policy.RequireAddresses and the host has none
)

// Limits of every URL.
const (
	DefaultMaxLen = 2048 // bytes of a whole URL
	MaxHostLen    = 253  // bytes of a host in ASCII, without a trailing dot (RFC 1035)
	MaxLabelLen   = 63   // bytes of one label of a host in ASCII
)

// Kind is what a field may hold.
type Kind uint8

const (
	// Web is an absolute http or https URL with a host.
	Web Kind = iota
	// WebOrApp is a Web URL or an app deep link ("myapp://product/42",
	// "spotify:track:x"), as routing rules may send a phone to an app. A
	// deep link's scheme must not be one browsers or fetchers act on over
	// the network or by running code (see refusedAppSchemes), and a deep
	// link with a host passes every host rule a web URL does.
	WebOrApp
)

// refusedAppSchemes run code or read local data in a browser, or reach
// network services that a link-preview fetcher, a mail scanner or an old
// client would follow; a deep link may use any other scheme.
var refusedAppSchemes = []string{
	"javascript", "vbscript", "data", "file", "blob", "about", "filesystem", "view-source",
	"ftp", "ftps", "sftp", "tftp", "gopher", "dict", "ldap", "ldaps", "smb", "nfs", "telnet",
	"ssh", "ws", "wss", "jar", "netdoc", "rtsp", "mms", "irc", "nntp", "news", "imap", "pop",
	"smtp", "redis", "mongodb", "mysql", "postgres", "postgresql", "memcached", "gluster",
}

// URL is a URL that passed the syntax half of the rule, normalized.
type URL struct {
	// String is the URL to store and use: the input with its host
	// replaced by the normalized one, every other byte unchanged.
	String string
	Scheme string // lower case
	// Host is the normalized host: ASCII, lower case, no trailing dot, an
	// IPv4 address in dotted-quad form, an IPv6 address without brackets.
	// Empty for a deep link without a host.
	Host string
	Port string     // empty, or 1 to 65535 in decimal without leading zeros
	Addr netip.Addr // the address when Host is an IP literal
}

// Web reports whether u is http or https.
func (u *URL) Web() bool { return u.Scheme == "http" || u.Scheme == "https" }

// hostProfile maps hosts as browsers do (WHATWG URL's "domain to ASCII"
// with beStrict false): UTS-46 mapping, non-transitional, Bidi rule, and
// none of STD3's ASCII restrictions (so "a_b.example" stays valid; the
// forbidden code points are checked after).
var hostProfile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.StrictDomainName(false),
	idna.BidiRule(),
)

// Parse checks the syntax of raw as kind allows, at most maxLen bytes (0
// means DefaultMaxLen), and normalizes it. It returns an *Error without a
// Field on refusal.
func Parse(raw string, kind Kind, maxLen int) (*URL, *Error) {
	if maxLen <= 0 {
		maxLen = DefaultMaxLen
	}
	switch {
	case raw == "":
		return nil, refuse(RuleSyntax, "required")
	case len(raw) > maxLen:
		return nil, refuse(RuleSyntax, "longer than %d bytes", maxLen)
	case strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return nil, refuse(RuleSyntax, "contains a space or control character")
	case !utf8.ValidString(raw):
		return nil, refuse(RuleSyntax, "is not valid UTF-8")
	}
	// Browsers read a backslash in the authority of an http(s) URL as a
	// slash, Go's parser does not: "http://evil.example\@good.example/"
	// is evil.example to one and good.example (or an error) to the other.
	// The rule refuses what the two would read differently.
	if auth := authority(raw); strings.ContainsRune(auth, '\\') {
		return nil, refuse(RuleHost, "backslash in the host part")
	}
	pu, err := url.Parse(raw)
	if err != nil || pu.Scheme == "" {
		if kind == WebOrApp {
			return nil, refuse(RuleSyntax, "not an absolute URL or deep link (scheme:...)")
		}
		return nil, refuse(RuleSyntax, "not an absolute URL")
	}
	u := &URL{Scheme: pu.Scheme} // url.Parse lower-cases the scheme
	if !u.Web() {
		switch {
		case kind != WebOrApp:
			return nil, refuse(RuleScheme, "scheme must be http or https")
		case slices.Contains(refusedAppSchemes, u.Scheme):
			return nil, refuse(RuleScheme, "scheme %s is not allowed", u.Scheme)
		case pu.Opaque == "" && pu.Host == "" && pu.Path == "":
			return nil, refuse(RuleSyntax, "deep link has nothing after the scheme")
		}
	} else if pu.Opaque != "" || pu.Host == "" {
		return nil, refuse(RuleHost, "no host: must be an absolute URL with a host")
	}
	if pu.User != nil {
		return nil, refuse(RuleCredentials, "must not contain user info (user:password@)")
	}
	if pu.Host == "" { // a deep link without an authority
		u.String = raw
		return u, nil
	}
	if e := u.setHost(pu); e != nil {
		return nil, e
	}
	hostport := u.Host
	if u.Addr.Is6() {
		hostport = "[" + hostport + "]"
	}
	if u.Port != "" {
		hostport += ":" + u.Port
	}
	u.String = raw
	if hostport != pu.Host {
		i := strings.Index(raw, "//") + 2 // Host is not empty, so the URL has "//"
		u.String = raw[:i] + hostport + raw[i+len(authority(raw)):]
	}
	return u, nil
}

// setHost normalizes pu's host and port into u.
func (u *URL) setHost(pu *url.URL) *Error {
	if p := pu.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil || n < 1 || n > 65535 {
			return refuse(RulePort, "port %.12s is not in 1-65535", p)
		}
		u.Port = strconv.FormatUint(n, 10)
	}
	h := pu.Hostname()
	if strings.HasPrefix(pu.Host, "[") {
		a, err := netip.ParseAddr(h)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return refuse(RuleHost, "%.60q is not an IPv6 address (zones are not allowed)", h)
		}
		u.Host, u.Addr = a.String(), a
		return nil
	}
	host, err := hostProfile.ToASCII(h)
	if err != nil {
		return refuse(RuleHost, "host %.60q is not a valid domain name: %v", h, err)
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" {
		return refuse(RuleHost, "no host: must be an absolute URL with a host")
	}
	if i := strings.IndexFunc(host, forbiddenHostRune); i >= 0 {
		return refuse(RuleHost, "host %.60q contains %q", host, host[i])
	}
	if a, literal, ok := parseIPv4(host); literal {
		if !ok {
			return refuse(RuleHost, "host %.60q looks like an IPv4 address but is not a valid one", host)
		}
		u.Host, u.Addr = a.String(), a
		return nil
	}
	if len(host) > MaxHostLen {
		return refuse(RuleHost, "host is %d bytes, at most %d", len(host), MaxHostLen)
	}
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || len(label) > MaxLabelLen {
			return refuse(RuleHost, "host %.60q has an empty label or one over %d bytes", host, MaxLabelLen)
		}
	}
	u.Host = host
	return nil
}

// forbiddenHostRune is WHATWG URL's forbidden domain code point, for a
// host already mapped to ASCII.
func forbiddenHostRune(r rune) bool {
	return r <= ' ' || r >= 0x7f || strings.ContainsRune("#%/:<>?@[\\]^|", r)
}

// authority is the part of raw between "//" and the first "/", "?" or
// "#" after it (browsers end it at "\" too, which Parse refuses), or "".
func authority(raw string) string {
	i := strings.Index(raw, "//")
	if i < 0 || strings.ContainsAny(raw[:i], "/?#") {
		return ""
	}
	rest := raw[i+2:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}
