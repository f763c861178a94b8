package redirect

import (
	"errors"
	"maps"
	"strconv"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/schemas"
)

func TestLocationMergesUTM(t *testing.T) {
	for _, tc := range []struct {
		name, dest string
		utm        schemas.UTM
		want       string
	}{
		{"no UTM keeps the destination", "https://x.org/a?b=1#f", schemas.UTM{}, "https://x.org/a?b=1#f"},
		{"adds to an empty query", "https://x.org/a", schemas.UTM{Source: "mail"}, "https://x.org/a?utm_source=mail"},
		{"keeps the query order and bytes", "https://x.org/a?z=1&a=%2F&flag", schemas.UTM{Medium: "sms"}, "https://x.org/a?z=1&a=%2F&flag&utm_medium=sms"},
		{"link wins over the destination", "https://x.org/?utm_source=old&x=1", schemas.UTM{Source: "new"}, "https://x.org/?x=1&utm_source=new"},
		{"destination keeps what the link leaves empty", "https://x.org/?utm_term=t", schemas.UTM{Source: "s"}, "https://x.org/?utm_term=t&utm_source=s"},
		{"escaped key is recognised", "https://x.org/?utm%5Fsource=old", schemas.UTM{Source: "new"}, "https://x.org/?utm_source=new"},
		{"values are escaped", "https://x.org/", schemas.UTM{Campaign: "spring 26&more"}, "https://x.org/?utm_campaign=spring+26%26more"},
		{"all five in order", "https://x.org/", schemas.UTM{Source: "s", Medium: "m", Campaign: "c", Term: "t", Content: "k"},
			"https://x.org/?utm_source=s&utm_medium=m&utm_campaign=c&utm_term=t&utm_content=k"},
		{"fragment kept", "https://x.org/p#top", schemas.UTM{Source: "s"}, "https://x.org/p?utm_source=s#top"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := location(tc.dest, &tc.utm)
			if err != nil || got != tc.want {
				t.Fatalf("location = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestLinkValidateNamesField(t *testing.T) {
	many := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m["k"+strconv.Itoa(i)] = "v"
		}
		return m
	}
	for _, tc := range []struct {
		name, field string
		mutate      func(*Link)
	}{
		{"utm too long", "utm.campaign", func(l *Link) { l.UTM.Campaign = strings.Repeat("c", MaxUTMLen+1) }},
		{"utm control char", "utm.source", func(l *Link) { l.UTM.Source = "a\nb" }},
		{"too many tags", "tags", func(l *Link) { l.Tags = make([]string, MaxTags+1) }},
		{"empty tag", "tags", func(l *Link) { l.Tags = []string{""} }},
		{"tag too long", "tags", func(l *Link) { l.Tags = []string{strings.Repeat("t", MaxTagLen+1)} }},
		{"too much metadata", "metadata", func(l *Link) { l.Metadata = many(MaxMetadata + 1) }},
		{"bad metadata key", "metadata", func(l *Link) { l.Metadata = map[string]string{"a b": "v"} }},
		{"metadata value too long", "metadata", func(l *Link) { l.Metadata = map[string]string{"k": strings.Repeat("v", MaxMetadataValueLen+1)} }},
		{"bad expired url", "expired_url", func(l *Link) { l.ExpiredURL = "javascript:x" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := testLink("p")
			l.Metadata = maps.Clone(l.Metadata)
			tc.mutate(l)
			var fe *FieldError
			if err := l.Validate(); !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("Validate = %v, want a FieldError for %s", err, tc.field)
			}
		})
	}
	if err := testLink("p").Validate(); err != nil {
		t.Fatalf("valid link: %v", err)
	}
}

func TestRandomIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewLinkID()
		if !ValidLinkID(id) || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
		if p := RandomPath(); len(p) != randomPathLen || ValidatePath(p) != nil {
			t.Fatalf("bad random path %q", p)
		}
	}
}
