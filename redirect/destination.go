package redirect

import (
	"net/url"
	"strings"

	"github.com/clicktrail/clicktrail/schemas"
)

// ValidateDomain checks a link domain: a lower-case DNS host name (letters,
// digits, '-' and '.'; labels of 1 to 63 bytes not starting or ending with
// '-'), no port, at most MaxDomainLen bytes. It returns a *FieldError for
// field "domain".
func ValidateDomain(d string) error {
	if msg := domainProblem(d); msg != "" {
		return FieldErrorf("domain", "%s", msg)
	}
	return nil
}

func domainProblem(d string) string {
	if d == "" {
		return "empty"
	}
	if len(d) > MaxDomainLen {
		return "longer than " + itoa(MaxDomainLen) + " bytes"
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > 63 {
			return "labels must be 1 to 63 bytes"
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "labels must not start or end with '-'"
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "character " + quoteByte(c) + " not allowed (want a lower-case host name)"
			}
		}
	}
	return ""
}

// urlProblem checks a destination: an absolute http or https URL with a host,
// no userinfo, at most MaxDestinationLen bytes, no spaces or control
// characters. It returns "" or what is wrong.
func urlProblem(s string) string {
	if msg := rawURLProblem(s); msg != "" {
		return msg
	}
	u, err := url.Parse(s)
	if err != nil {
		return "not a URL"
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "scheme must be http or https"
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return "must be an absolute URL with a host"
	case u.User != nil:
		return "must not contain user info (user:password@)"
	}
	return ""
}

// rawURLProblem holds the checks every stored URL passes before it is
// parsed: present, at most MaxDestinationLen bytes, no spaces or control
// characters. It returns "" or what is wrong.
func rawURLProblem(s string) string {
	switch {
	case s == "":
		return "required"
	case len(s) > MaxDestinationLen:
		return "longer than " + itoa(MaxDestinationLen) + " bytes"
	case strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "contains a space or control character"
	}
	return ""
}

// utmParams pairs each UTM query parameter with its field.
func utmParams(u *schemas.UTM) [5][2]string {
	return [5][2]string{
		{"utm_source", u.Source}, {"utm_medium", u.Medium}, {"utm_campaign", u.Campaign},
		{"utm_term", u.Term}, {"utm_content", u.Content},
	}
}

// location returns the URL a visitor of l is sent to: the destination with
// the link's UTM fields merged into its query (rules in the package doc).
// The destination must have passed urlProblem.
func location(dest string, utm *schemas.UTM) (string, error) {
	if *utm == (schemas.UTM{}) {
		return dest, nil
	}
	u, err := url.Parse(dest)
	if err != nil {
		return "", err
	}
	params := utmParams(utm)
	var q strings.Builder
	for part := range strings.SplitSeq(u.RawQuery, "&") {
		if part == "" || overridden(part, &params) {
			continue
		}
		if q.Len() > 0 {
			q.WriteByte('&')
		}
		q.WriteString(part)
	}
	for _, p := range params {
		if p[1] == "" {
			continue
		}
		if q.Len() > 0 {
			q.WriteByte('&')
		}
		q.WriteString(p[0])
		q.WriteByte('=')
		q.WriteString(url.QueryEscape(p[1]))
	}
	u.RawQuery = q.String()
	u.ForceQuery = false
	return u.String(), nil
}

// overridden reports whether the query part "key=value" names a UTM
// parameter the link sets.
func overridden(part string, params *[5][2]string) bool {
	key := queryKey(part)
	for _, p := range params {
		if p[1] != "" && key == p[0] {
			return true
		}
	}
	return false
}
