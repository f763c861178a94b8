// Package guidetest checks the analyst guide (schemas/clickhouse/README.md)
// against real engines: it extracts the guide's queries from its ```sql
// blocks (Queries), holds a small known dataset of clicks and conversions
// (Dataset) and the answer each query must give over it, computed in Go
// (Truth, Check). sinks/clickhouse's guide_integration_test.go loads the
// dataset through the sink's writer into the test server and runs every
// query; schemas/clickhouse's guide_current_engine_test.go does the same on
// chdb, a current ClickHouse in-process. It holds no production code.
package guidetest
