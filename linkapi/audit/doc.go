// Package audit keeps the audit log of the link API: who (which API key,
// from which address) changed what, when. Records are JSON under
// "au/<workspace>/<time><id>" keys of the link store's pebble database
// (redirect.Store.DB), so a workspace's records are contiguous and in time
// order; Log.Query reads them newest first with filters and a cursor.
//
// linkapi appends a record after each durable change and serves
// GET /v1/audit; its bulk jobs write the records of created links in the
// batch that creates them, with Key and AppendJSON. Which changes are
// recorded, and by whom, is decided in linkapi.
package audit
