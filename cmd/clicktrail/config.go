package main

import (
	"fmt"
	"net/netip"

	"github.com/urfave/cli/v2"

	"github.com/clicktrail/clicktrail/internal/app"
)

func redirectNodeConfig(c *cli.Context) (app.RedirectNode, error) {
	var proxies []netip.Prefix
	for _, s := range c.StringSlice(trustedProxyFlag.Name) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return app.RedirectNode{}, fmt.Errorf("trusted-proxy %q: want a CIDR such as 10.0.0.0/8: %w", s, err)
		}
		proxies = append(proxies, p)
	}
	return app.RedirectNode{
		DataDir:        c.String(dataDirFlag.Name),
		RedirectAddr:   c.String(redirectAddrFlag.Name),
		APIAddr:        c.String(apiAddrFlag.Name),
		APIKeys:        c.StringSlice(apiKeyFlag.Name),
		DefaultDomain:  c.String(defaultDomainFlag.Name),
		ShortURLScheme: c.String(shortURLSchemeFlag.Name),
		TrustedProxies: proxies,
		Spool: app.Spool{
			SyncMode:      c.String(spoolSyncFlag.Name),
			FlushInterval: c.Duration(spoolFlushFlag.Name),
			MaxBytes:      c.Int64(spoolMaxBytesFlag.Name),
		},
		Logger: logger(c),
	}, nil
}

func kafkaConfig(c *cli.Context) app.Kafka {
	return app.Kafka{
		Brokers:           c.StringSlice(kafkaBrokersFlag.Name),
		TopicPrefix:       c.String(topicPrefixFlag.Name),
		Partitions:        int32(c.Int(partitionsFlag.Name)),
		ReplicationFactor: int16(c.Int(replicationFlag.Name)),
	}
}

func batchConfig(c *cli.Context) app.Batch {
	return app.Batch{MaxRecords: c.Int(batchRecordsFlag.Name), MaxWait: c.Duration(batchWaitFlag.Name)}
}

// hashSecret returns --hash-secret, or in dev (dataDir set) the secret kept in
// the data directory, created on first use.
func hashSecret(c *cli.Context, dataDir string) ([]byte, error) {
	if s := c.String(hashSecretFlag.Name); s != "" {
		return []byte(s), nil
	}
	if dataDir == "" {
		return nil, fmt.Errorf("hash-secret: required (at least 32 bytes)")
	}
	return app.LoadOrCreateSecret(dataDir)
}
