// Package templates keeps the UTM templates of workspaces ("tp/<workspace>/
// <name>" JSON records in the link store's pebble database) and fills
// {{placeholders}} of destinations and template values from a create's
// "values" (personalized links), encoding each value for where it stands.
//
// linkapi applies a template to every create (POST /v1/links, upserts and
// bulk items) and serves /v1/templates. It decides nothing about links
// beyond their UTM fields and destination text; links and their validation
// are redirect's.
package templates
