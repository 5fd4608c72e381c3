#!/usr/bin/env bash
# The main job: set everything up, then run a local Hub with the share-link
# service and the JupyterLab extension on http://127.0.0.1:8000.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"

PORT="${SHARE_LINK_HUB_PORT:-8000}"
BASE="${SHARE_LINK_HUB_BASE_URL:-/}"
PASSWORD="${SHARE_LINK_DEMO_PASSWORD:-share-link-demo}"
cat >&2 <<MSG

  JupyterHub Share Link demo: http://127.0.0.1:${PORT}${BASE}

  1. In one browser, log in as "alice" (password: ${PASSWORD}), start a
     server with image-b, save a notebook, right-click it in the file
     browser and choose "Copy Share Link".
  2. In a private window, open the link: log in as "bob" (same password),
     confirm, and bob gets a fresh copy in a server running image-b.

  Stop with Ctrl-C. State (users' files, keys, the Hub database) is in .demo/.

MSG
cd "$ROOT"
exec "${SHARE_LINK_VENV:-$ROOT/.venv}/bin/jupyterhub" -f "$ROOT/jupyterhub_config.py"
