#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests use, builds, type-checks, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund   # also builds build/ (the `prepare` script)

# The tools at exactly the versions of the stack's default images, built with Go from the Go module proxy into
# ~/.cache/cdk8s-o11y/tools (a second run builds nothing). If they cannot be built, the tests that need them say so:
# skipped on a developer's machine, failed under CI=true.
# What most tests run: Prometheus, Alertmanager, node_exporter, and kube-rbac-proxy (the drill scrapes through it).
# One build at a time: each keeps both cores busy, and two side by side took longer than one after the other.
node build/src/cli/main.js tools install promtool prometheus amtool alertmanager node_exporter kube-rbac-proxy \
  || echo "test/run.sh: the tools could not be built (see above)" >&2
# The Collector and Jaeger, the two longest builds, which only their own tests run: built meanwhile, at the lowest
# CPU priority, while the drills (which mostly wait) run.
extras_log="$(mktemp)"
trap 'rm -f "$extras_log"' EXIT
nice -n 19 node build/src/cli/main.js tools install otelcol jaeger >"$extras_log" 2>&1 &
extras=$!

npm run --silent typecheck
status=0
# One worker more than the cores: most of the long tests (drills, CLI runs, real servers) wait rather than compute,
# and jest's default (cores - 1) ran them one after the other on 2 cores.
workers=$(( $(nproc) + 1 ))
npx jest --ci --maxWorkers="$workers" --testPathIgnorePatterns '/test/otel/' '/test/tracing/' || status=$?
wait "$extras" || echo "test/run.sh: the Collector or Jaeger could not be built" >&2
cat "$extras_log"
npx jest --ci --maxWorkers="$workers" test/otel test/tracing || status=$?
exit "$status"
