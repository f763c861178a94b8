package e2e

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/clicktrail/clicktrail/client"
	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
)

// TestLinksReplicateBetweenNodes runs two redirect nodes on one Kafka: links
// created, changed and deleted through the first node's API are served the
// same way by the second, which learns them from the compacted links topic
// only. A malformed record in the topic is skipped, not fatal; and a third
// node started later catches up on everything from the topic.
func TestLinksReplicateBetweenNodes(t *testing.T) {
	brokers := testenv.Kafka(t)
	kafka := app.Kafka{Brokers: brokers, TopicPrefix: testenv.Name("replica") + ".", Partitions: 3, ReplicationFactor: 1}
	start := func(name string) (redirectURL, apiURL string) {
		node := nodeConfig(t)
		node.Kafka = kafka
		return startNode(t, name, &node, func(ctx context.Context) error { return app.RunRedirectNode(ctx, node) })
	}
	_, apiA := start("node A")
	redirectB, _ := start("node B")

	l := createLink(t, apiA, client.CreateLinkRequest{DestinationURL: "https://example.com/spring", Path: "spring"})
	serves := func(redirectURL, want string) func() (bool, string) {
		return func() (bool, string) {
			code, loc := click(t, redirectURL, "go.brand.test", "spring")
			got := http.StatusText(code) + " " + loc
			return strings.HasPrefix(got, want), got
		}
	}
	testutil.Eventually(t, "node B to serve the link created on A", serves(redirectB, "Found https://example.com/spring"), testutil.Timeout(60*time.Second), pollEvery)

	// Garbage in the links topic: logged with its offset and skipped.
	produceGarbage(t, brokers, kafka.Topic("links.v1"), "go.brand.test/garbage")

	patch(t, apiA, l.ID, client.LinkPatch{"destination_url": "https://example.com/summer"})
	testutil.Eventually(t, "node B to follow the update", serves(redirectB, "Found https://example.com/summer"), testutil.Timeout(60*time.Second), pollEvery)

	patch(t, apiA, l.ID, client.LinkPatch{"disabled": true})
	testutil.Eventually(t, "node B to stop serving the disabled link", serves(redirectB, "Not Found"), testutil.Timeout(60*time.Second), pollEvery)

	redirectC, _ := start("node C")
	testutil.Eventually(t, "a new node to catch up from the topic", serves(redirectC, "Not Found"), testutil.Timeout(60*time.Second), pollEvery)
	patch(t, apiA, l.ID, client.LinkPatch{"disabled": false})
	testutil.Eventually(t, "node C to follow the re-enable", serves(redirectC, "Found https://example.com/summer"), testutil.Timeout(60*time.Second), pollEvery)

	// The topic is compacted and keyed by domain/path.
	if !scanTopic(t, brokers, kafka.Topic("links.v1"), func(r *kgo.Record) bool {
		return string(r.Key) == "go.brand.test/spring" && bytes.Contains(r.Value, []byte(l.ID))
	}) {
		t.Fatal("no record keyed go.brand.test/spring in the links topic")
	}
}

func patch(t *testing.T, apiURL, id string, body client.LinkPatch) {
	t.Helper()
	var status int
	if _, err := api(t, apiURL).UpdateLink(context.Background(), id, body, client.Status(&status)); err != nil {
		t.Fatalf("patch %v: %v", body, err)
	}
	if status != http.StatusOK {
		t.Fatalf("patch %v: %d", body, status)
	}
}
