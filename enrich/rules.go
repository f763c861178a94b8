package enrich

// The rule tables of ClassifyUserAgent. Tokens are lowercase and at least
// two bytes long (newTokenIndex panics at init otherwise); the first
// match in table order wins, so more specific tokens come first (Edge and
// Opera agents also say "Chrome", Chrome agents also say "Safari", Android
// agents also say "Linux"). To add a bot, add a row and a test case with a
// real User-Agent string in useragent_test.go.

// uaRule maps a token to a name.
type uaRule struct {
	token []byte
	name  string
}

// osRule maps a token to an operating system and the device type it implies.
type osRule struct {
	token  []byte
	os     string
	device string
}

var tokMobile = []byte("mobile")

var osRules = []osRule{
	{[]byte("ipad"), "iPadOS", DeviceTablet},
	{[]byte("iphone"), "iOS", DeviceMobile},
	{[]byte("ipod"), "iOS", DeviceMobile},
	{[]byte("cros "), "ChromeOS", DeviceDesktop}, // "CrOS x86_64"; bare "cros" matches "Microsoft"
	{[]byte("android"), "Android", DeviceMobile}, // tablet without "mobile"
	{[]byte("windows phone"), "Windows", DeviceMobile},
	{[]byte("windows"), "Windows", DeviceDesktop},
	{[]byte("macintosh"), "macOS", DeviceDesktop},
	{[]byte("mac os x"), "macOS", DeviceDesktop},
	{[]byte("linux"), "Linux", DeviceDesktop},
}

var browserRules = []uaRule{
	// In-app browsers first: they embed a full Chrome or Safari agent.
	{[]byte("fban/"), "Facebook"},
	{[]byte("fbav/"), "Facebook"},
	{[]byte("instagram"), "Instagram"},
	{[]byte("edg/"), "Edge"},
	{[]byte("edga/"), "Edge"},
	{[]byte("edgios/"), "Edge"},
	{[]byte("edge/"), "Edge"},
	{[]byte("opr/"), "Opera"},
	{[]byte("opt/"), "Opera"},
	{[]byte("opera"), "Opera"},
	{[]byte("samsungbrowser/"), "Samsung Internet"},
	{[]byte("firefox/"), "Firefox"},
	{[]byte("fxios/"), "Firefox"},
	{[]byte("crios/"), "Chrome"},
	{[]byte("chrome/"), "Chrome"},
	{[]byte("safari/"), "Safari"},
}

// botRules: link-preview fetchers, then crawlers, then automation, then
// generic markers. Preview fetchers come first because they are the main
// source of inflated click counts and deserve their own name.
var botRules = []uaRule{
	// Link-preview fetchers.
	{[]byte("slackbot"), "Slackbot"},
	{[]byte("slack-imgproxy"), "Slackbot"},
	{[]byte("facebookexternalhit"), "facebookexternalhit"},
	{[]byte("facebookcatalog"), "facebookexternalhit"},
	{[]byte("telegrambot"), "TelegramBot"}, // says "like TwitterBot": keep before it
	{[]byte("twitterbot"), "Twitterbot"},
	{[]byte("linkedinbot"), "LinkedInBot"},
	{[]byte("mastodon"), "Mastodon"},
	{[]byte("discordbot"), "Discordbot"},
	{[]byte("whatsapp"), "WhatsApp"},
	{[]byte("applebot"), "Applebot"},
	{[]byte("skypeuripreview"), "SkypeUriPreview"},
	{[]byte("pinterestbot"), "Pinterest"},
	{[]byte("pinterest/0."), "Pinterest"},
	{[]byte("redditbot"), "redditbot"},
	{[]byte("embedly"), "Embedly"},
	{[]byte("microsoftpreview"), "MicrosoftPreview"},
	{[]byte("vkshare"), "VKShare"},
	// Search and AI crawlers.
	{[]byte("googlebot"), "Googlebot"},
	{[]byte("adsbot-google"), "AdsBot-Google"},
	{[]byte("google-inspectiontool"), "Google-InspectionTool"},
	{[]byte("bingbot"), "bingbot"},
	{[]byte("bingpreview"), "bingbot"},
	{[]byte("duckduckbot"), "DuckDuckBot"},
	{[]byte("yandexbot"), "YandexBot"},
	{[]byte("baiduspider"), "Baiduspider"},
	{[]byte("ahrefsbot"), "AhrefsBot"},
	{[]byte("semrushbot"), "SemrushBot"},
	{[]byte("gptbot"), "GPTBot"},
	{[]byte("chatgpt-user"), "ChatGPT-User"},
	{[]byte("claudebot"), "ClaudeBot"},
	{[]byte("claude-user"), "Claude-User"},
	{[]byte("perplexitybot"), "PerplexityBot"},
	{[]byte("bytespider"), "Bytespider"},
	{[]byte("petalbot"), "PetalBot"},
	{[]byte("amazonbot"), "Amazonbot"},
	{[]byte("ccbot"), "CCBot"},
	{[]byte("mj12bot"), "MJ12bot"},
	{[]byte("dotbot"), "DotBot"},
	{[]byte("yahoo! slurp"), "Yahoo! Slurp"},
	// Headless browsers, HTTP libraries and command-line tools.
	{[]byte("headlesschrome"), "HeadlessChrome"},
	{[]byte("phantomjs"), "PhantomJS"},
	{[]byte("curl/"), "curl"},
	{[]byte("wget/"), "Wget"},
	{[]byte("python-requests"), "python-requests"},
	{[]byte("python-urllib"), "python-urllib"},
	{[]byte("aiohttp"), "aiohttp"},
	{[]byte("go-http-client"), "Go-http-client"},
	{[]byte("okhttp"), "okhttp"},
	{[]byte("axios/"), "axios"},
	{[]byte("node-fetch"), "node-fetch"},
	{[]byte("java/"), "Java"},
	{[]byte("apache-httpclient"), "Apache-HttpClient"},
	{[]byte("libwww-perl"), "libwww-perl"},
	{[]byte("scrapy"), "Scrapy"},
	// Generic markers: "bot/" and "bot;" rather than "bot", which would
	// match phone models such as CUBOT.
	{[]byte("bot/"), "other"},
	{[]byte("bot;"), "other"},
	{[]byte("crawler"), "other"},
	{[]byte("spider"), "other"},
}

// The tables in uaIndex, by position.
const (
	osTable = iota
	browserTable
	botTable
	numTables
)

// uaIndex indexes the three tables for one pass over an agent; see tokenIndex.
var uaIndex = newTokenIndex(osTokens(), uaTokens(browserRules), uaTokens(botRules))

func osTokens() [][]byte {
	t := make([][]byte, len(osRules))
	for i, r := range osRules {
		t[i] = r.token
	}
	return t
}

func uaTokens(rules []uaRule) [][]byte {
	t := make([][]byte, len(rules))
	for i, r := range rules {
		t[i] = r.token
	}
	return t
}
