package redirect

import (
	"crypto/sha256"
	"encoding/binary"
	"net/netip"

	"github.com/clicktrail/clicktrail/enrich"
)

// CountryLookup returns the ISO 3166-1 alpha-2 country code of an address,
// or "" when unknown. enrich.CountryReader implements it over the same
// .mmdb the enrich stage uses. It is called on the redirect path, only for
// links with country rules, and must be safe for concurrent use.
type CountryLookup interface {
	Country(ip netip.Addr) string
}

var _ CountryLookup = (*enrich.CountryReader)(nil)

// Bits of the device and OS sets a compiled rule matches.
const (
	devDesktop uint8 = 1 << iota
	devMobile
	devTablet
)

const (
	osIOS uint16 = 1 << iota
	osIPadOS
	osAndroid
	osWindows
	osMacOS
	osLinux
	osChromeOS
)

// deviceBits and osBits map the API's names (ruleDevices, ruleOSes) and
// enrich's classification to the bits above.
var (
	deviceBits = map[string]uint8{ // enrich.Device* use the same names
		enrich.DeviceDesktop: devDesktop, enrich.DeviceMobile: devMobile, enrich.DeviceTablet: devTablet,
	}
	osBits = map[string]uint16{
		"ios": osIOS, "ipados": osIPadOS, "android": osAndroid, "windows": osWindows,
		"macos": osMacOS, "linux": osLinux, "chromeos": osChromeOS,
		"iOS": osIOS, "iPadOS": osIPadOS, "Android": osAndroid, "Windows": osWindows,
		"macOS": osMacOS, "Linux": osLinux, "ChromeOS": osChromeOS,
	}
)

// visitor is what routing knows about one request. Each attribute is
// computed on first use, so a link without rules of a kind never pays for
// it (a User-Agent classification, a GeoIP lookup, an Accept-Language parse).
type visitor struct {
	geo CountryLookup

	ip, ua, acceptLanguage    string
	uaDone, geoDone, langDone bool
	device                    uint8
	os                        uint16
	country, lang             string
}

func newVisitor(req *request, geo CountryLookup) visitor {
	return visitor{geo: geo, ip: req.ip, ua: req.userAgent, acceptLanguage: req.acceptLanguage}
}

func (v *visitor) classify() {
	if v.uaDone {
		return
	}
	v.uaDone = true
	ua := enrich.ClassifyUserAgent(v.ua)
	if ua.Bot {
		return // bots match no device or OS rule: they get the default
	}
	v.device = deviceBits[ua.DeviceType]
	v.os = osBits[ua.OS]
}

func (v *visitor) deviceBits() uint8 { v.classify(); return v.device }
func (v *visitor) osBits() uint16    { v.classify(); return v.os }

// countryCode is "" without a CountryLookup, so country rules never match.
func (v *visitor) countryCode() string {
	if !v.geoDone {
		v.geoDone = true
		if v.geo != nil {
			if a, err := netip.ParseAddr(v.ip); err == nil {
				v.country = v.geo.Country(a)
			}
		}
	}
	return v.country
}

// language is the primary subtag of the most preferred Accept-Language
// entry, as enrich records it.
func (v *visitor) language() string {
	if !v.langDone {
		v.langDone = true
		v.lang = enrich.PrimaryLanguage(v.acceptLanguage)
	}
	return v.lang
}

// maxBucketUA bounds the User-Agent bytes hashed for the A/B bucket, so the
// input fits the stack buffer of bucket; real agents are shorter.
const maxBucketUA = 384

// bucket places the visitor in [0, n) for linkID's A/B test:
//
//	uint64be(SHA-256(key || link id || 0x00 || ip || 0x00 || user agent)[:8]) mod n
//
// key is SHA-256("clicktrail/variant-key" || 0x00 || VisitorSecret) (see
// RedirectConfig). Because it is secret, nobody can recompute a visitor's
// bucket or pick an agent to land in a variant; because it is shared, the
// same IP and agent get the same bucket on every node.
// The link id makes a visitor's buckets independent across links. Prefix
// keying is enough: the digest is never published, so length extension does
// not apply. The modulo bias is below n/2^64.
func (v *visitor) bucket(key *[32]byte, linkID string, n uint64) uint64 {
	var buf [32 + 64 + 1 + 64 + 1 + maxBucketUA]byte
	b := append(buf[:0], key[:]...)
	b = append(b, linkID[:min(len(linkID), 64)]...)
	b = append(b, 0)
	b = append(b, v.ip[:min(len(v.ip), 64)]...)
	b = append(b, 0)
	b = append(b, v.ua[:min(len(v.ua), maxBucketUA)]...)
	sum := sha256.Sum256(b)
	return binary.BigEndian.Uint64(sum[:8]) % n
}
