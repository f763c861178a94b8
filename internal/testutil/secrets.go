package testutil

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
)

// SecretForms are the byte strings a secret may be found as: itself, its
// hex, and its standard and URL base64 (JSON stores []byte as standard
// base64) at each of the three alignments it can have inside a longer
// encoded value (the characters whose bits depend on neighbouring bytes
// are left out).
func SecretForms(secret string) map[string][]byte {
	b := []byte(secret)
	forms := map[string][]byte{"raw": b, "hex": []byte(hex.EncodeToString(b))}
	for name, e := range map[string]*base64.Encoding{"base64": base64.RawStdEncoding, "base64url": base64.RawURLEncoding} {
		for shift := range 3 {
			enc := e.EncodeToString(append(make([]byte, shift), b...))
			from := 0
			if shift > 0 {
				from = 4 // the first group mixes the shift's bytes with the secret's
			}
			forms[name+"+"+string(rune('0'+shift))] = []byte(enc[from : len(enc)-len(enc)%4])
		}
	}
	return forms
}

// FindSecrets walks every file under dir (pebble tables, WAL, MANIFEST,
// OPTIONS, anything) and returns one line per file and secret found there
// (naming one form),
// in any of its SecretForms; blobs are further places to look (captured
// logs), named by their key.
func FindSecrets(dir string, blobs map[string][]byte, secrets ...string) ([]string, error) {
	var found []string
	look := func(where string, data []byte) {
		for _, s := range secrets {
			for form, needle := range SecretForms(s) {
				if len(needle) > 0 && bytes.Contains(data, needle) {
					found = append(found, where+": "+form+" of "+s)
					break // one line per place and secret
				}
			}
		}
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		look(path, data)
		return nil
	})
	for name, b := range blobs {
		look(name, b)
	}
	return found, err
}
