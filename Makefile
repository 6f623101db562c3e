# Lightning-TS. `make help` lists the targets.
SHELL := /bin/bash
NODE_TEST := node --test --test-concurrency=1 --test-timeout=600000
export NODE_OPTIONS ?= --enable-source-maps

.PHONY: help deps sysdeps build typecheck lint test test-unit test-integration test-cluster test-charts test-e2e test-image test-reliability demo bench clean charts image

help: ## list the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

sysdeps: ## install Debian packages the tests and demo need (MariaDB, mydumper, sysbench, zstd, rclone)
	@bash scripts/sysdeps.sh

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: sysdeps node_modules/.installed ## install everything (Debian packages + npm ci)

build: node_modules/.installed ## compile TypeScript into dist/ and make the bin entries executable
	npm run --silent build

typecheck: node_modules/.installed ## strict TypeScript type check
	npx tsc -p tsconfig.json --noEmit

lint: node_modules/.installed ## eslint over src, test, bench
	npx eslint --no-error-on-unmatched-pattern src test bench scripts

test: deps typecheck lint build ## the whole suite CI runs: type check, lint, unit, integration, cluster, charts
	$(NODE_TEST) $(wildcard dist/test/unit dist/test/integration dist/test/cluster dist/test/charts dist/test/e2e dist/test/reliability)

test-unit: build ## unit tests only
	$(NODE_TEST) dist/test/unit

test-integration: build ## tests against a private MariaDB
	$(NODE_TEST) dist/test/integration

test-cluster: build ## tests against the simulated PD/TiKV/TiDB
	$(NODE_TEST) dist/test/cluster

test-charts: build ## helm lint/template and rendered-manifest checks
	$(NODE_TEST) dist/test/charts

test-e2e: build ## chart to process: the rendered pod's commands run for real (rclone + local S3, tidb-lightning, MariaDB)
	$(NODE_TEST) dist/test/e2e

test-image: build ## build the image offline (podman, debootstrap) and run the rendered pod with podman kube play (minutes cold)
	LIGHTNING_IMAGE_TEST=1 $(NODE_TEST) dist/test/e2e/image.test.js

test-reliability: build ## crash/fault matrix and fuzzing (long; CI runs a seeded subset inside `make test`)
	LIGHTNING_RELIABILITY=full $(NODE_TEST) dist/test/reliability

demo: deps build ## a real import of the seed example dump into a private MariaDB
	node dist/scripts/demo.js

bench: build ## all benchmarks (bench/): MB/s, peak RSS, ratio to a peer
	npm run --silent bench:parse; npm run --silent bench:encode; npm run --silent bench:tidb-backend; npm run --silent bench:sort; npm run --silent bench:sim-spill; npm run --silent bench:importer

image: build ## build localhost/lightning-ts/tidb-lightning:<version> with podman, offline (scripts/charts/image.sh)
	bash scripts/charts/image.sh

charts: node_modules/.installed ## package both Helm charts and write a chart repository index into dist/charts
	bash scripts/charts/package.sh dist/charts

clean: ## remove build output
	rm -rf dist
