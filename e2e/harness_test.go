package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/clicktrail/clicktrail/client"
	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/enrich/enrichtest"
	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/sinks/clickhouse"
)

const (
	apiKey    = "ct_test_0123456789abcdef"
	visitorIP = "81.2.69.142" // in the test GeoIP database: GB / ENG / London
	iphoneUA  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)

var (
	trustLoopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	hashSecret    = []byte("e2e-secret-0123456789abcdef-0123456789")
)

// geoDB writes the test GeoIP database and returns its path.
func geoDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "city.mmdb")
	err := enrichtest.WriteCityDB(path, []enrichtest.GeoEntry{
		{Network: "81.2.69.0/24", Country: "GB", Region: "ENG", City: "London"},
		{Network: "2a02:db8::/32", Country: "DE", Region: "BE", City: "Berlin"},
	})
	if err != nil {
		t.Fatalf("write test GeoIP database: %v", err)
	}
	return path
}

// clickhouseDB returns a DSN for a fresh database on the test server, and
// drops the database when the test ends.
func clickhouseDB(t *testing.T) (dsn string, conn ch.Conn, db string) {
	t.Helper()
	base := testenv.ClickHouse(t)
	db = testenv.Name("e2e")
	opts, err := ch.ParseDSN(base)
	if err != nil {
		t.Fatalf("parse %s: %v", base, err)
	}
	conn, err = ch.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
		conn.Close()
	})
	u := strings.TrimSuffix(base, "/"+opts.Auth.Database)
	if opts.Auth.Database == "" {
		u = strings.TrimSuffix(base, "/")
	}
	return u + "/" + db, conn, db
}

// run starts f in the background and stops it (and waits) at cleanup.
func run(t *testing.T, name string, f func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case <-time.After(60 * time.Second):
			t.Errorf("%s did not stop within 60s of cancellation", name)
		}
	})
}

// startNode runs a redirect node (with or without Kafka) or a dev process and
// returns the redirect and API base URLs once both listen.
func startNode(t *testing.T, name string, node *app.RedirectNode, f func(ctx context.Context) error) (redirectURL, apiURL string) {
	t.Helper()
	type urls struct{ r, a string }
	ready := make(chan urls, 1)
	node.OnReady = func(r, a string) { ready <- urls{r, a} }
	run(t, name, f)
	select {
	case u := <-ready:
		return u.r, u.a
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not start listening", name)
	}
	return "", ""
}

func nodeConfig(t *testing.T) app.RedirectNode {
	return app.RedirectNode{
		DataDir:        t.TempDir(),
		RedirectAddr:   "127.0.0.1:0",
		APIAddr:        "127.0.0.1:0",
		APIKeys:        []string{apiKey},
		DefaultDomain:  "go.brand.test",
		ShortURLScheme: "http",
		TrustedProxies: trustLoopback,
	}
}

// api returns a client of the API at apiURL with the tests' key.
func api(t *testing.T, apiURL string) *client.Client {
	t.Helper()
	c, err := client.New(apiURL, apiKey)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func createLink(t *testing.T, apiURL string, req client.CreateLinkRequest) *client.Link {
	t.Helper()
	var status int
	l, err := api(t, apiURL).CreateLink(context.Background(), req, client.Status(&status))
	if err != nil {
		t.Fatalf("create link: %v", err)
	}
	if status != http.StatusCreated || l.ID == "" {
		t.Fatalf("create link: %d %+v", status, l)
	}
	return l
}

var noFollow = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// click requests path on the redirector for host as a visitor at visitorIP
// behind the trusted loopback proxy, and returns the answer's status and
// Location.
func click(t *testing.T, redirectURL, host, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, redirectURL+"/"+path, nil)
	req.Host = host
	req.Header.Set("X-Forwarded-For", visitorIP)
	req.Header.Set("User-Agent", iphoneUA)
	req.Header.Set("Referer", "https://mail.example.com/inbox?id=1")
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatalf("click: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// pollEvery is how often the end-to-end tests poll what they wait for:
// each poll is a query or a click, so not as often as testutil's default.
var pollEvery = testutil.Every(200 * time.Millisecond)

func countFinal(t *testing.T, conn ch.Conn, db, linkID string) (uint64, error) {
	var n uint64
	err := conn.QueryRow(context.Background(),
		fmt.Sprintf("SELECT count() FROM %s.clicks FINAL WHERE link_id = ?", db), linkID).Scan(&n)
	return n, err
}

// dumpTable returns every row of db.clicks as TSV text, through the
// clickhouse-client binary, so that a search covers every column.
func dumpTable(t *testing.T, db string) string {
	t.Helper()
	opts, err := ch.ParseDSN(testenv.ClickHouse(t))
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(opts.Addr[0], ":")
	out, err := exec.Command("clickhouse-client", "--host", host, "--port", port,
		"--query", "SELECT * FROM "+db+".clicks FORMAT TabSeparated").CombinedOutput()
	if err != nil {
		t.Fatalf("clickhouse-client: %v: %s", err, out)
	}
	return string(out)
}

// kafkaPipeline is the scale-out shape running in-process: a redirect node
// forwarding to Kafka, an enrich worker and a ClickHouse sink worker, on
// topics and a database of their own.
type kafkaPipeline struct {
	brokers             []string
	kafka               app.Kafka
	conn                ch.Conn
	db                  string
	redirectURL, apiURL string
}

func startKafkaPipeline(t *testing.T, name string) kafkaPipeline {
	t.Helper()
	p := kafkaPipeline{brokers: testenv.Kafka(t)}
	var dsn string
	dsn, p.conn, p.db = clickhouseDB(t)
	p.kafka = app.Kafka{Brokers: p.brokers, TopicPrefix: testenv.Name(name) + ".", Partitions: 3, ReplicationFactor: 1}
	if _, err := app.Migrate(context.Background(), clickhouse.Config{DSN: dsn}, nil); err != nil {
		t.Fatal(err)
	}
	node := nodeConfig(t)
	node.Kafka = p.kafka
	p.redirectURL, p.apiURL = startNode(t, "redirect node", &node, func(ctx context.Context) error { return app.RunRedirectNode(ctx, node) })
	batch := app.Batch{MaxRecords: 1000, MaxWait: 200 * time.Millisecond}
	run(t, "enrich", func(ctx context.Context) error {
		return app.RunWorker(ctx, app.Worker{Name: "enrich", Kafka: p.kafka, Group: testenv.Name("enrich"),
			StageConfigs: app.StageConfigs{Enrich: enrich.Config{GeoIPPath: geoDB(t), HashSecret: hashSecret}}, Batch: batch})
	})
	run(t, "sink", func(ctx context.Context) error {
		return app.RunWorker(ctx, app.Worker{Name: "sink clickhouse", Kafka: p.kafka, Group: testenv.Name("sink"), StageConfigs: app.StageConfigs{ClickHouse: clickhouse.Config{DSN: dsn}}, Batch: batch})
	})
	return p
}
