// Package base62 makes the random identifiers of clicktrail's records (link
// ids and generated paths in redirect; workspace, API key, job and audit ids
// in linkapi and its record packages) and checks their characters.
package base62

import "crypto/rand"

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Random returns n uniformly random base62 characters from crypto/rand.
// Bytes of 248 and above are rejected so that byte % 62 is unbiased
// (248 = 4*62).
func Random(n int) string {
	out := make([]byte, 0, n)
	var buf [32]byte
	for len(out) < n {
		rand.Read(buf[:]) // never fails (crypto/rand, Go 1.24+)
		for _, b := range buf {
			if b < 248 && len(out) < n {
				out = append(out, alphabet[b%62])
			}
		}
	}
	return string(out)
}

// IsAlnum reports whether c is an ASCII letter or digit.
func IsAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// All reports whether every byte of s is an ASCII letter or digit.
func All(s string) bool {
	for i := 0; i < len(s); i++ {
		if !IsAlnum(s[i]) {
			return false
		}
	}
	return true
}
