package seal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LoadOrCreateKey returns the key kept in file path, creating a random one
// (named "local", mode 0600) on first use. It is the default of a process
// given no key: its data directory then holds the key beside what it seals,
// which protects nothing when the whole directory is copied; production
// passes keys from a secret store instead (ADR 007).
func LoadOrCreateKey(path string) (Key, error) {
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		k, err := ParseKey(strings.TrimSpace(string(b)))
		if err != nil {
			return Key{}, fmt.Errorf("secrets key %s: %w", path, err)
		}
		return k, nil
	case !errors.Is(err, fs.ErrNotExist):
		return Key{}, fmt.Errorf("read secrets key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Key{}, fmt.Errorf("create secrets key dir: %w", err)
	}
	k := NewKey("local")
	if err := os.WriteFile(path, []byte(k.String()+"\n"), 0o600); err != nil {
		return Key{}, fmt.Errorf("write secrets key: %w", err)
	}
	return k, nil
}
