package guidetest

import (
	"fmt"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// Workspace is the workspace of the dataset, the one the guide's queries
// name; Link is the link its one-link queries name.
const (
	Workspace = "ws_1"
	Link      = "lnk_abc"
	other     = "lnk_def"
)

// Conversion is an attributed conversion of the dataset, with the fields
// the guide's queries read; the writers' tests map it to their rows.
type Conversion struct {
	EventID, Name, LinkID, ContactID string
	OccurredAt, ClickedAt            time.Time
	Amount                           int64
	Currency, Campaign, Source       string
}

// Dataset returns the clicks and conversions the guide is checked over,
// placed relative to now: most at noon UTC one and two days before now's
// day (so every zone within 12 hours of UTC sees the same dates), one 40
// days back that the queries with a range must leave out.
func Dataset(now time.Time) ([]*schemas.EnrichedClick, []Conversion) {
	day := now.UTC().Truncate(24 * time.Hour)
	var clicks []*schemas.EnrichedClick
	for i := range 24 {
		c := &schemas.EnrichedClick{
			V: 1, EventID: fmt.Sprintf("0193a6f2-7c1e-7b3a-8f00-%012d", i), Type: schemas.ClickTypeClick,
			Time:        day.Add(-time.Duration(1+i%2)*24*time.Hour + 12*time.Hour + time.Duration(i)*time.Minute),
			WorkspaceID: Workspace, LinkID: Link, Domain: "go.example", Path: "/spring", Destination: "https://shop.example/",
			IPPrefix: "198.51.100.0/24", VisitorHash: uint64(i % 4),
			Country: []string{"DE", "FR", "US"}[i%3], DeviceType: []string{"mobile", "desktop"}[i%2],
			OS: "iOS", Browser: "Safari", Language: "de",
			UTM: schemas.UTM{Source: []string{"newsletter", "ads"}[i%2], Medium: "email", Campaign: []string{"spring", "spring", "summer", "summer"}[i%4]},
		}
		if i%3 == 0 {
			c.LinkID = other
		}
		if i%6 == 5 {
			c.Type = schemas.ClickTypeQRScan
		}
		if i%5 == 0 {
			c.Bot, c.DeviceType, c.BotName = true, "bot", "Twitterbot"
			if i%10 == 0 {
				c.BotName = "Slackbot"
			}
		}
		switch i % 3 {
		case 0:
			c.Tags = []string{"promo", "q1"}
		case 1:
			c.Tags = []string{"promo"}
		}
		if i%4 != 3 {
			c.Metadata = map[string]string{"segment": []string{"smb", "ent"}[i%2], "owner": "anna"}
		}
		clicks = append(clicks, c)
	}
	old := *clicks[1] // a human click of Link, 40 days back
	old.EventID, old.Time = "0193a6f2-7c1e-7b3a-8f00-000000000099", day.Add(-40*24*time.Hour+12*time.Hour)
	clicks = append(clicks, &old)

	var convs []Conversion
	for i, c := range []struct {
		name, link, contact string
		amount              int64
		currency, campaign  string
		ago, toConvert      time.Duration
	}{
		{"purchase", Link, "ct_1", 1999, "EUR", "spring", 24 * time.Hour, 600 * time.Second},
		{"purchase", Link, "ct_2", 500, "EUR", "spring", 24 * time.Hour, 120 * time.Second},
		{"purchase", Link, "ct_3", 700, "USD", "summer", 24 * time.Hour, 3600 * time.Second},
		{"lead", Link, "ct_1", 0, "", "spring", 48 * time.Hour, 60 * time.Second},
		{"lead", Link, "ct_4", 0, "", "summer", 48 * time.Hour, 30 * time.Second},
		{"purchase", other, "ct_5", 10000, "EUR", "summer", 24 * time.Hour, 900 * time.Second},
		{"purchase", other, "ct_5", 2500, "EUR", "summer", 50 * 24 * time.Hour, 300 * time.Second}, // out of a 30-day range
	} {
		at := day.Add(-c.ago + 13*time.Hour)
		convs = append(convs, Conversion{EventID: fmt.Sprintf("0193a6f2-7c1e-7b3a-9f00-%012d", i), Name: c.name, LinkID: c.link,
			ContactID: c.contact, OccurredAt: at, ClickedAt: at.Add(-c.toConvert), Amount: c.amount, Currency: c.currency,
			Campaign: c.campaign, Source: "newsletter"})
	}
	return clicks, convs
}
