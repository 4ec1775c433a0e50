#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests use, builds, type-checks, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund   # also builds build/ (the `prepare` script)

# promtool, prometheus, amtool, alertmanager and node_exporter at exactly the versions of the stack's default images,
# built with Go from the Go module proxy into ~/.cache/cdk8s-o11y/tools (a second run builds nothing). If they cannot
# be built, the tests that need them say so: skipped on a developer's machine, failed under CI=true.
node build/src/cli/main.js tools install || echo "test/run.sh: the tools could not be built (see above)" >&2

npm run --silent typecheck
npx jest --ci
