"""The benchmarks' Hub: the project's jupyterhub_config.py, unchanged, plus
the Hub's spawn limit when a benchmark asks for one.

bench/run.sh copies this file to bench/dist/, where the tests' harness
(compiled there) looks for the Hub's configuration.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

load_subconfig(  # noqa: F821 (provided by traitlets when it loads this file)
    str(Path(os.environ["BENCH_REPO_ROOT"]) / "jupyterhub_config.py")
)

# How many servers the Hub starts at once (its default is 100): the
# classroom benchmark sets it low to check that opens wait for a slot.
SPAWN_LIMIT = os.environ.get("BENCH_CONCURRENT_SPAWN_LIMIT")
if SPAWN_LIMIT:
    c.JupyterHub.concurrent_spawn_limit = int(SPAWN_LIMIT)
