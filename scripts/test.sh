#!/usr/bin/env bash
# Run every test: lint and format checks, unit tests of both packages,
# integration tests against a real JupyterHub, and browser tests in Chromium.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RESULTS="$ROOT/test-artifacts/results"
STEP="setup"
say() { printf '\033[1m[test]\033[0m %s\n' "$*" >&2; }
step() { STEP="$1"; say "$1"; }

# However the run ends, it ends with one line of counts; a step that fails
# before its tests report counts as one failure.
finish() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "[test] failed during: $STEP" >&2
    mkdir -p "$RESULTS"
    node scripts/summarise-tests.js "$RESULTS" --failed-step || true
  fi
}
trap finish EXIT

rm -rf "$RESULTS" && mkdir -p "$RESULTS"
bash scripts/setup.sh

# Debian's Chromium drives the browser tests (a test tool's own browser
# download is not used). Install it where we may; otherwise say what to do.
CHROMIUM="${SHARE_LINK_CHROMIUM:-$(command -v chromium || true)}"
if [ -z "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian's chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    CHROMIUM="$(command -v chromium)"
  else
    echo "[test] error: the browser tests need Chromium: run 'sudo apt-get install chromium' (or set SHARE_LINK_CHROMIUM to a Chromium binary)." >&2
    exit 1
  fi
fi
export SHARE_LINK_CHROMIUM="$CHROMIUM"

step "lint and format"
npx eslint . --max-warnings=0
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
npx tsc -p tests/tsconfig.json

step "unit tests"
(cd packages/service && npx jest --json --outputFile="$RESULTS/service.json")
(cd packages/labextension && npx jest --json --outputFile="$RESULTS/labextension.json")

step "integration tests (real JupyterHub)"
npx jest -c tests/jest.config.js --runInBand --json --outputFile="$RESULTS/integration.json"

step "compatibility: integration tests on JupyterHub 5 (what Zero to JupyterHub 4 ships)"
JH5_VENV="$ROOT/.venv-jh5"
SHARE_LINK_VENV="$JH5_VENV" SHARE_LINK_REQUIREMENTS="$ROOT/hub/requirements-jupyterhub5.txt" \
  bash scripts/setup.sh
SHARE_LINK_VENV="$JH5_VENV" npx jest -c tests/jest.config.js --runInBand \
  --json --outputFile="$RESULTS/integration-jupyterhub5.json"

if [ -f tests/browser/jest.config.js ]; then
  step "browser tests (Chromium)"
  npx jest -c tests/browser/jest.config.js --runInBand --json --outputFile="$RESULTS/browser.json"
fi

node scripts/summarise-tests.js "$RESULTS"
