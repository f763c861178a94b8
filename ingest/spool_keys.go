package ingest

import (
	"encoding/binary"
	"fmt"
)

// Spool key layout. Every key starts with a one-letter kind and a slash:
//
//	r/<topic>/<seq: 8 bytes big-endian>  a record (value: encoded entry)
//	c/<topic>/<group>                    a group's cursor: the next seq to read (8 bytes)
//	h/<topic>                            the head: every record below it is deleted (8 bytes)
//	t/<topic>                            the topic exists (empty value)
//
// Topic and group names never contain '/' (see validName), so a prefix scan
// of r/<topic>/ or c/<topic>/ sees that topic only, and big-endian sequence
// numbers sort in order.
const (
	kindRecord = "r/"
	kindCursor = "c/"
	kindHead   = "h/"
	kindTopic  = "t/"
)

func recordPrefix(topic string) []byte {
	return append([]byte(kindRecord+topic), '/')
}

// appendRecordKey appends the key of record seq to dst, given its topic's
// recordPrefix (spoolTopic.prefix).
func appendRecordKey(dst, prefix []byte, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, prefix...), seq)
}

// recordSeq returns the sequence number of a record key of topic.
func recordSeq(topic string, key []byte) (uint64, error) {
	p := len(kindRecord) + len(topic) + 1
	if len(key) != p+8 {
		return 0, fmt.Errorf("spool record key %q of topic %q: want %d bytes, got %d", key, topic, p+8, len(key))
	}
	return binary.BigEndian.Uint64(key[p:]), nil
}

func cursorKey(topic, group string) []byte { return []byte(kindCursor + topic + "/" + group) }
func headKey(topic string) []byte          { return []byte(kindHead + topic) }
func topicKey(topic string) []byte         { return []byte(kindTopic + topic) }

func encodeUint64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func decodeUint64(what string, b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("%s: want 8 bytes, got %d", what, len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

// validName reports whether s may name a spool topic or group: 1 to 249
// characters of [a-zA-Z0-9._-], the rule Kafka applies to topic names.
func validName(field, s string) error {
	if s == "" || len(s) > 249 {
		return fmt.Errorf("%s %q: want 1 to 249 characters", field, s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("%s %q: character %q is not one of [a-zA-Z0-9._-]", field, s, c)
		}
	}
	return nil
}
