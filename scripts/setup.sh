#!/usr/bin/env bash
# Set up everything the demo and the tests need, from a fresh clone.
# Safe to run again: it reuses what is already there and up to date.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${SHARE_LINK_VENV:-$ROOT/.venv}"
REQUIREMENTS="${SHARE_LINK_REQUIREMENTS:-$ROOT/hub/requirements.txt}"
STATE_DIR="${SHARE_LINK_STATE_DIR:-$ROOT/.demo}"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
fail() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# --- Tools this project cannot install for you --------------------------------
command -v node >/dev/null || fail "Node.js 20 or newer is needed: install it, then run this again."
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || fail "Node.js 20 or newer is needed (found $(node --version))."
PYTHON="${SHARE_LINK_PYTHON:-python3}"
command -v "$PYTHON" >/dev/null || fail "Python 3.10 or newer is needed: install python3 and python3-venv."
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || fail "Python 3.10 or newer is needed (found $("$PYTHON" --version))."

# --- npm packages -------------------------------------------------------------
lock_hash="$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -f node_modules/.share-link-installed ] \
  || [ "$(cat node_modules/.share-link-installed)" != "$lock_hash" ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.share-link-installed
fi

# --- The Hub's Python environment ---------------------------------------------
req_hash="$(sha256sum "$REQUIREMENTS" | cut -c1-16)"
if [ ! -x "$VENV/bin/jupyterhub" ] \
  || [ "$(cat "$VENV/.share-link-installed" 2>/dev/null)" != "$req_hash" ]; then
  say "creating the Python environment in $VENV"
  "$PYTHON" -m venv "$VENV" || fail "could not create a virtual environment: install python3-venv."
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  echo "$req_hash" > "$VENV/.share-link-installed"
fi

# --- Build the service and the extension --------------------------------------
say "building the service and the extension"
npx lerna run build --loglevel=error >/dev/null

# --- Install the built extension into the Hub's JupyterLab --------------------
EXT_DIR="$VENV/share/jupyter/labextensions/jupyterhub-share-link"
rm -rf "$EXT_DIR"
mkdir -p "$(dirname "$EXT_DIR")"
cp -r packages/labextension/labextension "$EXT_DIR"

# --- Signing keys for the demo (created once) ---------------------------------
mkdir -p "$STATE_DIR"
KEYS="${SHARE_LINK_KEYS_FILE:-$STATE_DIR/share-link-keys.json}"
if [ ! -f "$KEYS" ] && [ -f packages/service/dist/cli.js ]; then
  say "creating the demo's link keys in $KEYS"
  node packages/service/dist/cli.js keygen --file "$KEYS"
fi

say "ready"
