package enrich

import "testing"

func TestClassifyUserAgent(t *testing.T) {
	tests := []struct {
		name string
		ua   string
		want UserAgent
	}{
		// Browsers.
		{"iPhone Safari",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
			UserAgent{DeviceType: DeviceMobile, OS: "iOS", Browser: "Safari"}},
		{"iPhone Chrome",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
			UserAgent{DeviceType: DeviceMobile, OS: "iOS", Browser: "Chrome"}},
		{"iPad Safari",
			"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
			UserAgent{DeviceType: DeviceTablet, OS: "iPadOS", Browser: "Safari"}},
		{"Android Chrome phone",
			"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
			UserAgent{DeviceType: DeviceMobile, OS: "Android", Browser: "Chrome"}},
		{"Android Chrome tablet",
			"Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
			UserAgent{DeviceType: DeviceTablet, OS: "Android", Browser: "Chrome"}},
		{"Android Samsung Internet",
			"Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
			UserAgent{DeviceType: DeviceMobile, OS: "Android", Browser: "Samsung Internet"}},
		{"Android CUBOT phone is not a bot",
			"Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36",
			UserAgent{DeviceType: DeviceMobile, OS: "Android", Browser: "Chrome"}},
		{"Windows Chrome",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
			UserAgent{DeviceType: DeviceDesktop, OS: "Windows", Browser: "Chrome"}},
		{"Windows Edge",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
			UserAgent{DeviceType: DeviceDesktop, OS: "Windows", Browser: "Edge"}},
		{"Windows Opera",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0",
			UserAgent{DeviceType: DeviceDesktop, OS: "Windows", Browser: "Opera"}},
		{"Windows Outlook is not ChromeOS",
			"Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)",
			UserAgent{DeviceType: DeviceDesktop, OS: "Windows"}},
		{"macOS Safari",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
			UserAgent{DeviceType: DeviceDesktop, OS: "macOS", Browser: "Safari"}},
		{"macOS Firefox",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0",
			UserAgent{DeviceType: DeviceDesktop, OS: "macOS", Browser: "Firefox"}},
		{"Linux Firefox",
			"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
			UserAgent{DeviceType: DeviceDesktop, OS: "Linux", Browser: "Firefox"}},
		{"ChromeOS Chrome",
			"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
			UserAgent{DeviceType: DeviceDesktop, OS: "ChromeOS", Browser: "Chrome"}},
		{"Facebook in-app iOS",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/16.5;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]",
			UserAgent{DeviceType: DeviceMobile, OS: "iOS", Browser: "Facebook"}},
		{"Instagram in-app Android",
			"Mozilla/5.0 (Linux; Android 12; SM-G991B Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/108.0.5359.128 Mobile Safari/537.36 Instagram 264.0.0.22.106 Android (31/12; 480dpi; 1080x2176; samsung; SM-G991B; o1s; exynos2100; en_US; 430370697)",
			UserAgent{DeviceType: DeviceMobile, OS: "Android", Browser: "Instagram"}},
		{"unknown agent",
			"Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)",
			UserAgent{DeviceType: DeviceOther}},

		// Link-preview fetchers.
		{"Slackbot",
			"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
			UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "Slackbot"}},
		{"Slack image proxy",
			"Slack-ImgProxy (+https://api.slack.com/robots)",
			UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "Slackbot"}},
		{"Twitterbot",
			"Twitterbot/1.0",
			UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "Twitterbot"}},
		{"TelegramBot says like TwitterBot",
			"TelegramBot (like TwitterBot)",
			UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "TelegramBot"}},
		{"facebookexternalhit",
			"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
			UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "facebookexternalhit"}},
		{"LinkedInBot",
			"LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
			UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "LinkedInBot"}},
		{"Mastodon",
			"Mastodon/4.2.1 (http.rb/5.1.1; +https://mastodon.social/)",
			UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "Mastodon"}},
		{"Discordbot",
			"Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
			UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "Discordbot"}},
		{"WhatsApp",
			"WhatsApp/2.23.20.0 A",
			UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "WhatsApp"}},
		{"Applebot",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
			UserAgent{DeviceType: DeviceBot, OS: "macOS", Browser: "Safari", Bot: true, BotName: "Applebot"}},

		// Crawlers.
		{"Googlebot",
			"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
			UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "Googlebot"}},
		{"Googlebot smartphone",
			"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
			UserAgent{DeviceType: DeviceBot, OS: "Android", Browser: "Chrome", Bot: true, BotName: "Googlebot"}},
		{"bingbot",
			"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
			UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "bingbot"}},
		{"GPTBot",
			"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
			UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "GPTBot"}},
		{"generic crawler",
			"Mozilla/5.0 (compatible; ExampleCrawler/1.0)",
			UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "other"}},

		// Automation.
		{"HeadlessChrome",
			"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.28 Safari/537.36",
			UserAgent{DeviceType: DeviceBot, OS: "Linux", Browser: "Chrome", Bot: true, BotName: "HeadlessChrome"}},
		{"curl", "curl/8.4.0", UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "curl"}},
		{"python-requests", "python-requests/2.31.0", UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "python-requests"}},
		{"Go http client", "Go-http-client/1.1", UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "Go-http-client"}},
		{"empty", "", UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "empty"}},
		{"blank", "  \t ", UserAgent{DeviceType: DeviceBot, Bot: true, BotName: "empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClassifyUserAgent(tt.ua); got != tt.want {
				t.Errorf("ClassifyUserAgent(%q)\n got  %+v\n want %+v", tt.ua, got, tt.want)
			}
		})
	}
}

func TestClassifyUserAgentDoesNotAllocate(t *testing.T) {
	ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"
	if n := testing.AllocsPerRun(100, func() { ClassifyUserAgent(ua) }); n != 0 {
		t.Errorf("ClassifyUserAgent allocates %v times per call, want 0", n)
	}
}

func FuzzClassifyUserAgent(f *testing.F) {
	f.Add("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1")
	f.Add("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)")
	f.Add("")
	f.Add("\x00\xff Android")
	f.Fuzz(func(t *testing.T, ua string) {
		got := ClassifyUserAgent(ua)
		switch got.DeviceType {
		case DeviceDesktop, DeviceMobile, DeviceTablet, DeviceOther:
			if got.Bot || got.BotName != "" {
				t.Fatalf("non-bot device %q with bot fields %+v", got.DeviceType, got)
			}
		case DeviceBot:
			if !got.Bot || got.BotName == "" {
				t.Fatalf("bot device without bot name: %+v", got)
			}
		default:
			t.Fatalf("unknown device type %q", got.DeviceType)
		}
	})
}

func BenchmarkClassifyUserAgent(b *testing.B) {
	ua := "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
	b.ReportAllocs()
	for b.Loop() {
		ClassifyUserAgent(ua)
	}
}
