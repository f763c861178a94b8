// Package cliflag makes urfave/cli v2 flags from the `flag`, `env` and
// `usage` tags of a config struct, so that a config field is declared
// once, where its package declares it:
//
//	GeoIPPath string `flag:"geoip-db" env:"CLICKTRAIL_GEOIP_DB" usage:"MaxMind-format .mmdb ..."`
//
// A field's value when the flags are made is the flag's default; Load
// sets every tagged field from a parsed command line. Untagged struct
// fields (embedded or not) are searched for tags too. cmd/clicktrail uses
// it for the configs of the stages (internal/app.Stages) and the workers;
// the flags of the redirect node and the API client commands are still
// declared by hand there.
package cliflag
