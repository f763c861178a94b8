package redirect

import (
	"net/url"
	"strings"

	"github.com/clicktrail/clicktrail/internal/urlrule"
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

// urlProblem checks one URL field of a link with the syntax half of the
// one URL rule (internal/urlrule.Parse, at most MaxDestinationLen bytes):
// kind Web for destinations, WebOrApp for routing rules. It returns nil or
// a *FieldError naming field and the rule. It does not normalize: the
// link API stores the normalized form urlrule.Policy.Check returns, and a
// link stored before that rule, with a host in Unicode, still loads,
// replicates and redirects as it was.
func urlProblem(field, raw string, kind urlrule.Kind) error {
	if _, e := urlrule.Parse(raw, kind, MaxDestinationLen); e != nil {
		return &FieldError{Field: field, Message: e.Message, Rule: e.Rule}
	}
	return nil
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
