package main

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/linkapi"
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
	blocklist, err := readHostList(c.String(destBlocklistFlag.Name))
	if err != nil {
		return app.RedirectNode{}, err
	}
	return app.RedirectNode{
		DataDir:        c.String(dataDirFlag.Name),
		RedirectAddr:   c.String(redirectAddrFlag.Name),
		APIAddr:        c.String(apiAddrFlag.Name),
		APIKeys:        c.StringSlice(apiKeyFlag.Name),
		DefaultDomain:  c.String(defaultDomainFlag.Name),
		ShortURLScheme: c.String(shortURLSchemeFlag.Name),
		TrustedProxies: proxies,
		DebugAddr:      c.String(debugAddrFlag.Name),
		RateLimit: linkapi.RateLimitConfig{
			Burst:     c.Int(rateBurstFlag.Name),
			PerSecond: c.Float64(ratePerSecondFlag.Name),
		},
		Destinations: linkapi.DestinationPolicy{
			AllowHosts:               c.StringSlice(destAllowFlag.Name),
			DenyHosts:                c.StringSlice(destDenyFlag.Name),
			Blocklist:                blocklist,
			AllowPrivateDestinations: c.Bool(destAllowPrivateFlag.Name),
		},
		Spool: app.Spool{
			SyncMode:      c.String(spoolSyncFlag.Name),
			FlushInterval: c.Duration(spoolFlushFlag.Name),
			MaxBytes:      c.Int64(spoolMaxBytesFlag.Name),
		},
		SecretKeys:       c.StringSlice(secretsKeyFlag.Name),
		RedirectFrontEnd: c.String(redirectFrontEndFlag.Name),
		LinkCheck: app.LinkCheck{
			Enabled:      c.Bool(checkDestinationsFlag.Name),
			Interval:     c.Duration(checkIntervalFlag.Name),
			AllowPrivate: c.Bool(destAllowPrivateFlag.Name),
		},
		Logger: logger(c),
	}, nil
}

// secretOrStored returns secret (--hash-secret), or when it is empty the
// secret kept in dataDir, created on first use.
func secretOrStored(secret []byte, dataDir string) ([]byte, error) {
	if len(secret) > 0 {
		return secret, nil
	}
	return app.LoadOrCreateSecret(dataDir)
}

// readHostList reads a blocklist file: one host or *.suffix per line, blank
// lines and # comments ignored. An empty path is an empty list.
func readHostList(path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dest-blocklist-file: %w", err)
	}
	defer f.Close()
	var hosts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if line = strings.TrimSpace(line); line != "" {
			hosts = append(hosts, strings.ToLower(line))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("dest-blocklist-file %s: %w", path, err)
	}
	return hosts, nil
}
