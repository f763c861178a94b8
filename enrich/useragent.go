package enrich

import "bytes"

// Device types.
const (
	DeviceDesktop = "desktop"
	DeviceMobile  = "mobile"
	DeviceTablet  = "tablet"
	DeviceBot     = "bot"
	DeviceOther   = "other"
)

// UserAgent is what ClassifyUserAgent learns from a User-Agent header.
// Empty OS or Browser means unknown.
type UserAgent struct {
	DeviceType string // one of the Device* constants
	OS         string // iOS, iPadOS, Android, Windows, macOS, Linux, ChromeOS
	Browser    string // Chrome, Safari, Firefox, Edge, Opera, Samsung Internet, Facebook, Instagram
	Bot        bool
	BotName    string // set when Bot; "empty" for a missing User-Agent
}

// maxUALen bounds how much of a User-Agent is examined. Real browser agents
// are 100 to 300 bytes; the tokens we look for sit near the start, and the
// bound keeps the cost of hostile multi-kilobyte headers fixed.
const maxUALen = 512

// ClassifyUserAgent classifies a User-Agent header with the rule tables in
// rules.go. Matching is ASCII case-insensitive substring search over the
// first maxUALen bytes; in each table the first rule in table order whose
// token occurs anywhere in the agent wins. A bot rule overrides the device
// type with DeviceBot and keeps the OS and browser found. An empty or blank
// agent is a bot named "empty". It never allocates and is safe for
// concurrent use.
//
// Known limits: iPadOS 13+ Safari asks for desktop sites with a macOS agent,
// so those iPads count as macOS desktops; no attempt is made at versions.
func ClassifyUserAgent(ua string) UserAgent {
	if len(ua) > maxUALen {
		ua = ua[:maxUALen]
	}
	var buf [maxUALen]byte
	lower := buf[:len(ua)]
	empty := true
	for i := 0; i < len(ua); i++ {
		c := ua[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != ' ' && c != '\t' {
			empty = false
		}
		lower[i] = c
	}
	if empty {
		return UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "empty"}
	}
	var out UserAgent
	var best [numTables]int
	uaIndex.match(lower, best[:])
	if i := best[osTable]; i >= 0 {
		r := &osRules[i]
		out.OS, out.DeviceType = r.os, r.device
		if r.os == "Android" && !bytes.Contains(lower, tokMobile) {
			out.DeviceType = DeviceTablet // Android tablets omit "Mobile"
		}
	} else {
		out.DeviceType = DeviceOther
	}
	if i := best[browserTable]; i >= 0 {
		out.Browser = browserRules[i].name
	}
	if i := best[botTable]; i >= 0 {
		out.Bot, out.BotName, out.DeviceType = true, botRules[i].name, DeviceBot
	}
	return out
}
