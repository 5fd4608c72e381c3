"""The benchmarks' Hub: the project's jupyterhub_config.py, unchanged.

bench/run.sh copies this file to bench/dist/, where the tests' harness
(compiled there) looks for the Hub's configuration; BENCH_REPO_ROOT says
where the repository is. Settings come from the project's own variables
(SHARE_LINK_CONCURRENT_SPAWN_LIMIT, the rate limits, ...).
"""

import os
from pathlib import Path

load_subconfig(  # noqa: F821 (provided by traitlets when it loads this file)
    str(Path(os.environ["BENCH_REPO_ROOT"]) / "jupyterhub_config.py")
)
