#!/usr/bin/env bash
# Run the benchmark suite against real local Hubs; writes bench/results.json
# and bench/RESULTS.md. Arguments go to the runner:
#   bench/run.sh                     # every benchmark (1 MiB and 100 MiB copies)
#   bench/run.sh --with-1g           # ... and the 1 GiB copy
#   bench/run.sh --only copy,open    # some benchmarks (copy open mint verify classroom)
#   bench/run.sh --quick             # small sizes, few runs: check the suite works
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ ! -x .venv/bin/jupyterhub ] || [ ! -d node_modules ]; then
  bash scripts/setup.sh
fi

echo "[bench] building the service and the benchmarks" >&2
(cd packages/service && npx tsc -p tsconfig.build.json)
rm -rf bench/dist
npx tsc -p bench/tsconfig.json

# The tests' harness, compiled into bench/dist/tests/harness/, finds the
# repository at bench/dist/: give it the Hub's configuration and the built
# service there.
cp bench/jupyterhub_config.py bench/dist/jupyterhub_config.py
mkdir -p bench/dist/packages/service
ln -sfn "$ROOT/packages/service/dist" bench/dist/packages/service/dist

export BENCH_REPO_ROOT="$ROOT"
node bench/dist/bench/src/main.js "$@"
# Keep the written results in the repository's format (npm run lint).
npx prettier --log-level=warn --write bench/results.json bench/RESULTS.md
