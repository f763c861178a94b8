# The two commands of the README, and a few helpers.
.PHONY: dev test build services-start services-stop bench

BIN := .local/bin/clicktrail

## dev: build clicktrail and run everything in one process on the embedded default, with the
## API key of .local/dev.env (written once, mode 0600, outside the data dir; README "The API key")
dev: build .local/dev.env
	set -a && . ./.local/dev.env && set +a && $(BIN) dev --data-dir .local/dev

.local/dev.env:
	mkdir -p .local
	umask 077 && printf 'CLICKTRAIL_API_KEY=ct_dev_%s\n' "$$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')" > $@.tmp && mv $@.tmp $@

## test: start real Kafka and ClickHouse, run vet and every test (what CI runs)
test:
	deploy/local/test.sh

build:
	go build -o $(BIN) ./cmd/clicktrail

services-start:
	deploy/local/services.sh start all

services-stop:
	deploy/local/services.sh stop all

## bench: the hot-path benchmarks quoted in the issue notes
bench:
	go test -run '^$$' -bench . -benchmem ./schemas/ ./redirect/ ./enrich/ ./ingest/

## bench-nginx: redirect throughput and p99 against nginx on one pinned core each (bench/README.md)
.PHONY: bench-nginx
bench-nginx:
	bench/redirect-vs-nginx.sh

## deploy-check: prove deploy/ (Dockerfile, compose, k8s, systemd) and rehearse the compose
## stack and the systemd units as local processes against the local Kafka and ClickHouse
## (deploy/README.md). A module of its own: the repository's `go test ./...` skips it. It
## requires clicktrail through a replace of ../..; -mod=mod lets it follow clicktrail's
## dependencies when they change instead of failing until its go.mod is tidied by hand.
.PHONY: deploy-check
deploy-check:
	cd deploy/check && export GOFLAGS=-mod=mod && go vet ./... && go test -count=1 ./... && go run . -root ../..
