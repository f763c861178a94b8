package statsview

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/client"
)

// header is the columns of every row after its key.
var header = []string{"clicks", "visitors", "conversions", "revenue"}

// section is one titled list of rows: a key and its numbers.
type section struct {
	title, keyName string
	rows           []row
}

type row struct {
	key string
	n   client.StatsNumbers
}

func groups(title, keyName string, gs []client.StatsGroup) section {
	s := section{title: title, keyName: keyName}
	for _, g := range gs {
		s.rows = append(s.rows, row{g.Key, g.StatsNumbers})
	}
	return s
}

func series(r client.StatsRange, ps []client.StatsPoint) section {
	s := section{title: "series", keyName: r.Interval}
	layout := time.DateOnly
	if r.Interval == "hour" {
		layout = "2006-01-02 15:04"
	}
	for _, p := range ps {
		s.rows = append(s.rows, row{p.Start.Format(layout), p.StatsNumbers})
	}
	return s
}

func linkSections(s *client.LinkStats) []section {
	out := []section{{title: "total", keyName: "link", rows: []row{{s.LinkID, s.Totals}}}, series(s.StatsRange, s.Series)}
	if s.GroupBy != "" {
		out = append(out, groups("group", s.GroupBy, s.Groups))
	}
	return out
}

func workspaceSections(s *client.WorkspaceStats) []section {
	return []section{
		{title: "total", keyName: "workspace", rows: []row{{"", s.Totals}}},
		series(s.StatsRange, s.Series),
		groups("links", "link", s.Links),
		groups("campaigns", "utm_campaign", s.Campaigns),
		groups("countries", "country", s.Countries),
		groups("devices", "device", s.Devices),
		groups("referrers", "referrer", s.Referrers),
	}
}

// LinkTable writes a link's stats as aligned tables: the range, the
// totals, the series and the groups.
func LinkTable(w io.Writer, s *client.LinkStats) error {
	return writeTables(w, s.StatsRange, linkSections(s))
}

// WorkspaceTable writes a workspace's stats as aligned tables.
func WorkspaceTable(w io.Writer, s *client.WorkspaceStats) error {
	return writeTables(w, s.StatsRange, workspaceSections(s))
}

// LinkCSV writes a link's stats as one CSV table with a header row:
// section (total, series, group), key, and the numbers.
func LinkCSV(w io.Writer, s *client.LinkStats) error { return writeCSV(w, linkSections(s)) }

// WorkspaceCSV writes a workspace's stats as one CSV table with a header
// row: section (total, series, links, campaigns, countries, devices,
// referrers), key, and the numbers.
func WorkspaceCSV(w io.Writer, s *client.WorkspaceStats) error {
	return writeCSV(w, workspaceSections(s))
}

func writeTables(w io.Writer, r client.StatsRange, secs []section) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s to %s (%s, %s, bots %s)\n", r.From.Format(time.RFC3339), r.To.Format(time.RFC3339), r.Interval, r.TZ, r.Bots)
	for _, s := range secs {
		cells := [][]string{append([]string{s.keyName}, header...)}
		for _, r := range s.rows {
			cells = append(cells, append([]string{orDash(r.key)}, numbers(r.n, true)...))
		}
		fmt.Fprintf(&b, "\n%s\n", s.title)
		align(&b, cells)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeCSV(w io.Writer, secs []section) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{"section", "key"}, header...)); err != nil {
		return err
	}
	for _, s := range secs {
		for _, r := range s.rows {
			if err := cw.Write(append([]string{s.title, r.key}, numbers(r.n, false)...)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// numbers are n's cells, counts written by format; conversions and revenue
// are empty when the answer has none (os and browser groups). Tables
// separate thousands, CSV does not.
func numbers(n client.StatsNumbers, thousands bool) []string {
	format := strconv.FormatUint
	if thousands {
		format = Thousands
	}
	out := []string{format(n.Clicks, 10), format(n.Visitors, 10), "", ""}
	if n.Conversions != nil {
		out[2] = format(*n.Conversions, 10)
	}
	if n.Revenue != nil {
		var parts []string
		for _, m := range *n.Revenue {
			parts = append(parts, Amount(m, thousands))
		}
		out[3] = strings.Join(parts, "; ")
	}
	return out
}

// Thousands writes n in base 10 with a comma every three digits: 1,234,567.
// base is ignored (it matches strconv.FormatUint).
func Thousands(n uint64, _ int) string {
	s := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// minorDigits are the ISO 4217 currencies whose minor unit is not a
// hundredth.
var minorDigits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
	"RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// Amount writes m in major units with its currency: "EUR 1,234.50" (with
// thousands separators) or "EUR 1234.50".
func Amount(m client.Money, thousands bool) string {
	digits, ok := minorDigits[m.Currency]
	if !ok {
		digits = 2
	}
	sign, a := "", m.Amount
	if a < 0 {
		sign, a = "-", -a
	}
	div := uint64(1)
	for range digits {
		div *= 10
	}
	whole, frac := uint64(a)/div, uint64(a)%div
	ws := strconv.FormatUint(whole, 10)
	if thousands {
		ws = Thousands(whole, 10)
	}
	s := m.Currency + " " + sign + ws
	if digits > 0 {
		s += fmt.Sprintf(".%0*d", digits, frac)
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// align writes cells as columns two spaces apart: the first column left
// aligned, the numbers right aligned.
func align(b *strings.Builder, cells [][]string) {
	widths := make([]int, len(cells[0]))
	for _, r := range cells {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for _, r := range cells {
		var line strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			switch {
			case i == 0:
				line.WriteString(c + pad)
			default:
				line.WriteString("  " + pad + c)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}
