package app

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/clicktrail/clicktrail/internal/seal"
)

const secretFile = "hash-secret"

// LoadOrCreateSecret returns the visitor-hash secret kept in dataDir, creating
// a random 32-byte one (mode 0600) on first use, so that dev hashes stay
// stable across restarts. Production passes the secret explicitly.
func LoadOrCreateSecret(dataDir string) ([]byte, error) {
	path := filepath.Join(dataDir, secretFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if len(b) < 32 {
			return nil, fmt.Errorf("hash secret %s: shorter than 32 bytes; delete it to make a new one", path)
		}
		return b, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read hash secret: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	b = make([]byte, 32)
	rand.Read(b)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("write hash secret: %w", err)
	}
	return b, nil
}

// secretsKeyFile holds a data directory's own sealing key (secretRing).
const secretsKeyFile = "secrets-key"

// secretRing returns the ring that seals the secrets a process keeps (the
// webhook endpoints' signing secrets, bulk jobs' callback secrets): keys
// as configured ("<id>:<base64 of 32 bytes>", the first sealing, the
// others still opening), or without any the key kept in
// dataDir/secrets-key, created on first use (ADR 007: production passes
// its keys from a secret store, so a copy of the data directory opens
// nothing).
func secretRing(dataDir string, keys []string) (*seal.Ring, error) {
	var ks []seal.Key
	for i, s := range keys {
		k, err := seal.ParseKey(s)
		if err != nil {
			return nil, fmt.Errorf("secrets-key[%d]: %w", i, err)
		}
		ks = append(ks, k)
	}
	if len(ks) == 0 {
		k, err := seal.LoadOrCreateKey(filepath.Join(dataDir, secretsKeyFile))
		if err != nil {
			return nil, err
		}
		ks = append(ks, k)
	}
	ring, err := seal.NewRing(ks...)
	if err != nil {
		return nil, fmt.Errorf("secrets-key: %w", err)
	}
	return ring, nil
}
