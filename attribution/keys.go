package attribution

import (
	"fmt"
	"time"
)

// Key layout (one pebble store per Attributor):
//
//	c/<click id>                                  -> Click (JSON)
//	k/<workspace>\x00<contact id>                 -> contactRef (JSON): the contact's latest clicks
//	p/c/<click id>/<conversion id>                -> pendingConversion (JSON): waits for the click
//	p/k/<workspace>\x00<contact id>\x00<conv id>  -> pendingConversion (JSON): waits for a click of the contact
//
// Click ids are UUIDv7 in lower case (the redirector's event ids), so c/
// is in time order and Sweep forgets old clicks with one range deletion.
// Workspace and contact ids never hold \x00 (schemas.Conversion.Validate
// refuses control characters in contact ids).
const (
	prefixClick          = "c/"
	prefixContact        = "k/"
	prefixPending        = "p/" // both kinds below
	prefixPendingClick   = "p/c/"
	prefixPendingContact = "p/k/"
)

func clickKey(id string) []byte { return []byte(prefixClick + id) }

func contactKey(workspace, contact string) []byte {
	return []byte(prefixContact + workspace + "\x00" + contact)
}

func pendingClickPrefix(clickID string) []byte { return []byte(prefixPendingClick + clickID + "/") }

func pendingContactPrefix(workspace, contact string) []byte {
	return []byte(prefixPendingContact + workspace + "\x00" + contact + "\x00")
}

// uuidV7Floor is the smallest canonical UUIDv7 string of millisecond t:
// every id made at t or later sorts at or after it.
func uuidV7Floor(t time.Time) string {
	ms := uint64(t.UnixMilli())
	return fmt.Sprintf("%08x-%04x-0000-0000-000000000000", ms>>16, ms&0xffff)
}
