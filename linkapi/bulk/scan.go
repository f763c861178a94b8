package bulk

import "encoding/json"

// A scanner for JSON that encoding/json has already accepted (a body that
// passed json.Valid, and the items of a bulk body that did): it only needs
// to tell strings, containers and the other values apart, in one pass,
// without allocating. Its callers (scanBulk, splitItemKey) take the plain
// cases and leave anything else to encoding/json, which they are tested
// against.

// scanBulk is decodeBulk's fast path for a well-formed body: one pass
// to check the JSON (json.Valid), one to split the top level and the items
// array, and items that are slices of body rather than copies. Decoding a
// 15 MiB body of 100,000 items into json.RawMessage took two scans and a
// copy of every item. Anything but the plain case (a member that is
// not exactly "items", "callback_url" or "on_conflict", a repeated one,
// escapes in a name, a value of another type, bytes that are not JSON)
// returns false for DecodeStrict to decode, or to name the problem as it
// always did; TestScanBulk and FuzzDecodeBulk check that both agree.
func scanBulk(body []byte) (*bulkRequest, bool) {
	if !json.Valid(body) {
		return nil, false
	}
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, false
	}
	var req bulkRequest
	seen := map[string]bool{}
	i++ // past the '{'
	for first := true; ; first = false {
		i = skipSpace(body, i)
		if i < len(body) && body[i] == '}' {
			return &req, true // json.Valid: nothing but spaces follows
		}
		if !first {
			if i >= len(body) || body[i] != ',' {
				return nil, false
			}
			i = skipSpace(body, i+1)
		}
		nameEnd, escaped, ok := scanString(body, i)
		if !ok || escaped {
			return nil, false
		}
		name := string(body[i+1 : nameEnd-1])
		i = skipSpace(body, nameEnd)
		if i >= len(body) || body[i] != ':' || seen[name] {
			return nil, false
		}
		seen[name] = true
		start := skipSpace(body, i+1)
		end, ok := skipValue(body, start)
		if !ok {
			return nil, false
		}
		val := body[start:end]
		switch name {
		case "items":
			if req.Items, ok = splitArray(val); !ok {
				return nil, false
			}
		case "callback_url":
			if val[0] != '"' || json.Unmarshal(val, &req.CallbackURL) != nil {
				return nil, false
			}
		case "on_conflict":
			if val[0] != '"' || json.Unmarshal(val, &req.OnConflict) != nil {
				return nil, false
			}
		default:
			return nil, false
		}
		i = end
	}
}

// splitArray returns the elements of the JSON array v, which json.Valid
// accepted, as slices of v.
func splitArray(v []byte) ([]json.RawMessage, bool) {
	if len(v) == 0 || v[0] != '[' {
		return nil, false
	}
	items := []json.RawMessage{}
	i := skipSpace(v, 1)
	if i < len(v) && v[i] == ']' {
		return items, true
	}
	for i < len(v) {
		end, ok := skipValue(v, i)
		if !ok {
			return nil, false
		}
		items = append(items, v[i:end:end])
		i = skipSpace(v, end)
		switch {
		case i < len(v) && v[i] == ']':
			return items, true
		case i < len(v) && v[i] == ',':
			i = skipSpace(v, i+1)
		default:
			return nil, false
		}
	}
	return nil, false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// scanString returns the index just after the string that starts at
// b[i], and whether it has escapes.
func scanString(b []byte, i int) (end int, escaped, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false, false
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, escaped, true
		}
	}
	return 0, false, false
}

// skipValue returns the index just after the JSON value that starts at
// b[i].
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		end, _, ok := scanString(b, i)
		return end, ok
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, _, ok := scanString(b, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	case ',', '}', ']', ':':
		return 0, false
	}
	j := i // a number or a literal: up to the next delimiter
	for j < len(b) && !isValueEnd(b[j]) {
		j++
	}
	return j, true
}

func isValueEnd(c byte) bool {
	return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n'
}
