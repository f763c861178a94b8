package bulk

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/idempotency"
)

// errItemKeyType and errItemKeyValue are the errors of a bad item
// idempotency key (new ones each time: callers may change them).
func errItemKeyType() *linkapi.APIError {
	return linkapi.BadRequest(linkapi.CodeInvalidField, "idempotency_key", "wrong type: want a string")
}

func errItemKeyValue() *linkapi.APIError {
	return linkapi.BadRequest(linkapi.CodeInvalidField, "idempotency_key", fmt.Sprintf("want 1 to %d printable ASCII characters", idempotency.MaxKeyLen))
}

// splitItemKey takes the top-level "idempotency_key" member out of a bulk
// item and returns the rest (a POST /v1/links body) and the key ("" when
// there is none). An item that is not a JSON object is returned as it is,
// for the create path to refuse.
//
// Most items of a large job carry a key, so this runs for nearly every
// item; with a json.Decoder it took a third of an item's preparation. It
// scans the bytes once instead: decodeBulk accepted the items as JSON
// values when the job was posted, so skipping a value needs only strings
// and nesting (see scan.go). Whatever the scanner
// does not expect (an escaped member name, bytes that are not JSON) goes
// to splitItemKeyDecoder, which it matches byte for byte on every valid
// item (FuzzSplitItemKey).
func splitItemKey(item []byte) ([]byte, string, *linkapi.APIError) {
	if !bytes.Contains(item, idempotencyKeyMember) {
		return item, "", nil
	}
	m, ok := findKeyMember(item)
	if !ok {
		return splitItemKeyDecoder(item)
	}
	if m.start < 0 {
		return item, "", nil // no top-level member of that name
	}
	var key string
	raw := item[m.valStart:m.end]
	if len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		key = string(raw[1 : len(raw)-1])
	} else if err := json.Unmarshal(raw, &key); err != nil {
		return nil, "", errItemKeyType()
	}
	if !idempotency.ValidKey(key) {
		return nil, "", errItemKeyValue()
	}
	rest := make([]byte, 0, len(item))
	rest = append(rest, item[:m.start]...)
	tail := item[m.end:]
	if m.first { // "{key, next}": drop the comma after it instead
		if t := bytes.TrimLeft(tail, jsonSpace); len(t) > 0 && t[0] == ',' {
			tail = t[1:]
		}
	}
	return append(rest, tail...), key, nil
}

const jsonSpace = " \t\r\n"

// keyMember locates the "idempotency_key" member of an item: the member
// runs from start (just after the '{' or the previous value, and the
// spaces that follow, so the comma before it goes with it) to end (just
// after its value, which starts at valStart). start is -1 when the item
// has no such member.
type keyMember struct {
	start, valStart, end int
	first                bool
}

// findKeyMember scans the top level of the object item for the member
// named "idempotency_key". ok is false when the scan met something it
// does not handle.
func findKeyMember(item []byte) (m keyMember, ok bool) {
	i := skipSpace(item, 0)
	if i >= len(item) || item[i] != '{' {
		return m, false
	}
	i++ // past the '{'
	for first := true; ; first = false {
		i = skipSpace(item, i)
		if i >= len(item) {
			return m, false
		}
		if item[i] == '}' {
			return keyMember{start: -1}, true
		}
		start := i
		if !first {
			if item[i] != ',' {
				return m, false
			}
			i = skipSpace(item, i+1)
		}
		nameEnd, escaped, ok := scanString(item, i)
		if !ok || escaped {
			return m, false
		}
		name := item[i+1 : nameEnd-1]
		i = skipSpace(item, nameEnd)
		if i >= len(item) || item[i] != ':' {
			return m, false
		}
		valStart := skipSpace(item, i+1)
		end, ok := skipValue(item, valStart)
		if !ok {
			return m, false
		}
		if string(name) == "idempotency_key" {
			return keyMember{start: start, valStart: valStart, end: end, first: first}, true
		}
		i = end
	}
}
