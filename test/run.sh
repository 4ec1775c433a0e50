#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests use, builds, type-checks, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real Prometheus tools from Debian: promtool, amtool, and the servers later tests start on 127.0.0.1.
missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v prometheus-node-exporter >/dev/null 2>&1 || missing+=(prometheus-node-exporter)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${missing[*]} (Debian packages)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund   # also builds build/ (the `prepare` script)
npm run --silent typecheck
npx jest --ci
