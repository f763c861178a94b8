package templates

import (
	"net/url"
	"strings"

	"github.com/clicktrail/clicktrail/redirect"
)

// Personalized links.
//
// A destination_url (or a UTM template value) may hold placeholders,
// "{{name}}" with name of 1 to 32 characters a-z 0-9 _ starting with a
// letter, filled at creation from the request's "values". A value is text,
// never URL syntax: it is percent-encoded for where its placeholder stands
// (path segment or fragment: as a path segment, so "/" is %2F; query: as a
// query component, so "&", "=" and "#" are encoded), and may not hold
// control characters. Placeholders may not stand in the scheme, host or port
// (a value could otherwise choose where the link goes). Values that look
// like e-mail addresses (LooksLikeEmail) are refused: links carry a contact id or a token,
// never personal data. A placeholder without a value and a value no
// placeholder uses are errors, so typos show at once.

// Limits of personalization values.
const (
	MaxValues        = 20
	MaxValueLen      = 256
	maxPlaceholderID = 32
)

// FillDestination replaces the placeholders of raw with values, encoded
// for their position; used records the names it filled.
func FillDestination(raw string, values map[string]string, used map[string]bool) (string, *redirect.FieldError) {
	if !strings.Contains(raw, "{{") {
		return raw, nil
	}
	// Where the authority ends: placeholders must come after it.
	authorityEnd := 0 // no authority: Validate refuses the URL later, with a clearer message
	start := -1
	if i := strings.Index(raw, "://"); i >= 0 {
		start = i + 3
	} else if strings.HasPrefix(raw, "//") {
		start = 2
	}
	if start >= 0 {
		authorityEnd = len(raw)
		if j := strings.IndexAny(raw[start:], "/?#"); j >= 0 {
			authorityEnd = start + j
		}
	}
	var b strings.Builder
	inQuery, inFragment := false, false
	for rest := raw; ; {
		before, name, after, found, unclosed := nextPlaceholder(rest)
		i := len(raw) - len(rest) + len(before) // where the {{ stands
		for j := 0; j < len(before); j++ {
			switch before[j] {
			case '?':
				inQuery = inQuery || !inFragment
			case '#':
				inFragment, inQuery = true, false
			}
		}
		b.WriteString(before)
		switch {
		case unclosed:
			return "", redirect.FieldErrorf("destination_url", "unclosed {{ at byte %d", i)
		case !found:
			return b.String(), nil
		}
		if !validPlaceholder(name) {
			return "", redirect.FieldErrorf("destination_url", "placeholder {{%s}} at byte %d: want a name of a-z 0-9 _ starting with a letter, at most %d characters", name, i, maxPlaceholderID)
		}
		if i < authorityEnd {
			return "", redirect.FieldErrorf("destination_url", "placeholder {{%s}} stands in the scheme or host; placeholders may only fill the path, query or fragment", name)
		}
		v, ok := values[name]
		if !ok {
			return "", redirect.FieldErrorf("values."+name, "the destination uses {{%s}}; give its value in values", name)
		}
		used[name] = true
		if inQuery {
			b.WriteString(url.QueryEscape(v))
		} else {
			b.WriteString(url.PathEscape(v))
		}
		rest = after
	}
}

// fillText replaces the placeholders of a UTM template value with values,
// unencoded (UTM values are encoded when the redirector adds them to the
// query). field names the template field in errors.
func fillText(field, s string, values map[string]string, used map[string]bool) (string, *redirect.FieldError) {
	if !strings.Contains(s, "{{") {
		return s, nil
	}
	var b strings.Builder
	for {
		before, name, rest, found, unclosed := nextPlaceholder(s)
		b.WriteString(before)
		switch {
		case unclosed:
			return "", redirect.FieldErrorf(field, "unclosed {{")
		case !found:
			return b.String(), nil
		}
		v, ok := values[name]
		if !ok {
			return "", redirect.FieldErrorf("values."+name, "the template's %s uses {{%s}}; give its value in values", field, name)
		}
		used[name] = true
		b.WriteString(v)
		s = rest
	}
}

// nextPlaceholder splits s at its first {{name}}: the text before it, the
// name, and the text after; found is false when s holds no "{{" (before
// is then all of s), unclosed when a "{{" has no "}}".
func nextPlaceholder(s string) (before, name, rest string, found, unclosed bool) {
	i := strings.Index(s, "{{")
	if i < 0 {
		return s, "", "", false, false
	}
	end := strings.Index(s[i:], "}}")
	if end < 0 {
		return s[:i], "", "", false, true
	}
	return s[:i], s[i+2 : i+end], s[i+end+2:], true, false
}

func validPlaceholder(name string) bool {
	if name == "" || len(name) > maxPlaceholderID || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// ValidateValues checks the request's personalization values.
func ValidateValues(values map[string]string) *redirect.FieldError {
	if len(values) > MaxValues {
		return redirect.FieldErrorf("values", "at most %d values, got %d", MaxValues, len(values))
	}
	for name, v := range values {
		field := "values." + name
		if !validPlaceholder(name) {
			return redirect.FieldErrorf("values", "name %q: want a-z 0-9 _ starting with a letter, at most %d characters", name, maxPlaceholderID)
		}
		if v == "" || len(v) > MaxValueLen {
			return redirect.FieldErrorf(field, "want 1 to %d bytes, got %d", MaxValueLen, len(v))
		}
		if msg := redirect.TextProblem(v, MaxValueLen); msg != "" {
			return redirect.FieldErrorf(field, "%s", msg)
		}
		if LooksLikeEmail(v) {
			return emailError(field)
		}
	}
	return nil
}

// UnusedValue names a value no placeholder used, if any.
func UnusedValue(values map[string]string, used map[string]bool) *redirect.FieldError {
	for name := range values {
		if !used[name] && name != "contact_id" {
			return redirect.FieldErrorf("values."+name, "no placeholder {{%s}} in the destination or the UTM template", name)
		}
	}
	return nil
}
