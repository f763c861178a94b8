package main

import (
	"os"
	"slices"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestClientsReadTheServersKeyVariable: a client command with only the
// servers' CLICKTRAIL_API_KEYS set sends its first key. (Copies of the
// flags: urfave/cli writes what it read from the environment into a
// flag's Value, which would leak into other tests.)
func TestClientsReadTheServersKeyVariable(t *testing.T) {
	unsetenv(t, "CLICKTRAIL_API_KEY")
	t.Setenv("CLICKTRAIL_API_KEYS", "ct_first_key_0123456789, ct_second_key_0123456789")
	f := *clientKeyFlag
	var got string
	a := &cli.App{Flags: []cli.Flag{&f}, Action: func(c *cli.Context) error { got = clientKey(c); return nil }}
	if err := a.Run([]string{"x"}); err != nil {
		t.Fatal(err)
	}
	if got != "ct_first_key_0123456789" {
		t.Fatalf("key %q, want the first key of CLICKTRAIL_API_KEYS", got)
	}
}

// TestServersReadTheClientsKeyVariable: redirect and dev take their key
// from CLICKTRAIL_API_KEY, the variable the clients read; the older
// CLICKTRAIL_API_KEYS wins when both are set.
func TestServersReadTheClientsKeyVariable(t *testing.T) {
	for _, tc := range []struct {
		name, key, keys string
		want            []string
	}{
		{"canonical", "ct_one_key_0123456789", "", []string{"ct_one_key_0123456789"}},
		{"older list", "", "ct_a_key_0123456789,ct_b_key_0123456789", []string{"ct_a_key_0123456789", "ct_b_key_0123456789"}},
		{"both: the list", "ct_one_key_0123456789", "ct_a_key_0123456789,ct_b_key_0123456789", []string{"ct_a_key_0123456789", "ct_b_key_0123456789"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, v := range map[string]string{"CLICKTRAIL_API_KEY": tc.key, "CLICKTRAIL_API_KEYS": tc.keys} {
				if unsetenv(t, name); v != "" {
					t.Setenv(name, v)
				}
			}
			var keys []string
			f := *apiKeyFlag
			a := &cli.App{Flags: []cli.Flag{&f}, Action: func(c *cli.Context) error {
				node, err := redirectNodeConfig(c)
				keys = node.APIKeys
				return err
			}}
			if err := a.Run([]string{"x"}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(keys, tc.want) {
				t.Fatalf("keys %q, want %q", keys, tc.want)
			}
		})
	}
}

// unsetenv unsets name for the test (restored after it).
func unsetenv(t *testing.T, name string) {
	t.Setenv(name, "")
	os.Unsetenv(name)
}
