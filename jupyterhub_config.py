"""JupyterHub configuration for the share-link demo and the tests.

Every value an admin might change comes from an environment variable (the
table in README.md lists them) or is marked "demo only". A real deployment
keeps the service and roles sections and swaps the authenticator and spawner:
see deploy/ for DockerSpawner and Zero to JupyterHub.
"""

import os
import secrets
import sys
from pathlib import Path

import jupyterhub

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "hub"))

from local_images import LocalImageSpawner  # noqa: E402
from record_image import record_kube_image, with_image_recording  # noqa: E402
from standins import DockerStandinSpawner, KubeStandinSpawner  # noqa: E402


def env(name, default):
    """A setting from the environment, with the demo's default."""
    return os.environ.get(name, default)


HUB_IP = env("SHARE_LINK_HUB_IP", "127.0.0.1")
HUB_PORT = int(env("SHARE_LINK_HUB_PORT", "8000"))
HUB_API_PORT = int(env("SHARE_LINK_HUB_API_PORT", "8081"))
PROXY_API_PORT = int(env("SHARE_LINK_PROXY_API_PORT", "8001"))
SERVICE_PORT = int(env("SHARE_LINK_SERVICE_PORT", "10101"))
BASE_URL = "/" + env("SHARE_LINK_HUB_BASE_URL", "/").strip("/") + "/"
BASE_URL = BASE_URL.replace("//", "/")
STATE_DIR = Path(env("SHARE_LINK_STATE_DIR", str(ROOT / ".demo"))).resolve()
SERVICE_NAME = "share-link"
HUB_ORIGIN = f"http://{HUB_IP}:{HUB_PORT}"

STATE_DIR.mkdir(parents=True, exist_ok=True)

# --- Network ----------------------------------------------------------------
c.JupyterHub.bind_url = f"{HUB_ORIGIN}{BASE_URL}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{HUB_API_PORT}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PROXY_API_PORT}"
c.ConfigurableHTTPProxy.command = [
    str(ROOT / "node_modules" / ".bin" / "configurable-http-proxy")
]
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.db_url = f"sqlite:///{STATE_DIR / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE_DIR / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE_DIR / "jupyterhub.pid")

# --- Authentication (demo only) --------------------------------------------
# Any user name with one shared password (at least 8 characters). A real Hub
# uses its own authenticator (OAuthenticator, LDAP, ...); share links need
# nothing from it beyond Hub users.
DEMO_PASSWORD = env("SHARE_LINK_DEMO_PASSWORD", "share-link-demo")
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = DEMO_PASSWORD
c.Authenticator.allow_all = True

# --- Spawner (demo only: local processes that behave like DockerSpawner) ----
# SHARE_LINK_SPAWNER picks the spawner: `local` (the default) offers images
# like DockerSpawner; `docker-standin` and `kube-standin` take exactly
# DockerSpawner's and KubeSpawner's options and refusals (hub/standins.py),
# with the image-recording hook wired as deploy/ wires it for the real ones.
SPAWNER = env("SHARE_LINK_SPAWNER", "local")
ALL_DEMO_IMAGES = {
    "image-a": "share-link-demo/python-basics:2026.12",
    "image-b": "share-link-demo/data-science:2026.12",
}
# SHARE_LINK_DEMO_IMAGES (comma-separated keys, default: all of the above)
# offers fewer images, as an admin retiring one would: links made from a
# server of a retired image then meet the spawner's refusal.
OFFERED = env("SHARE_LINK_DEMO_IMAGES", ",".join(ALL_DEMO_IMAGES)).split(",")
DEMO_IMAGES = {k: spec for k, spec in ALL_DEMO_IMAGES.items() if k in OFFERED}
if not DEMO_IMAGES:
    sys.exit(f"SHARE_LINK_DEMO_IMAGES names no demo image: {OFFERED!r}")
c.LocalImageSpawner.home_dir_template = str(STATE_DIR / "users" / "{username}")
if SPAWNER == "local":
    c.JupyterHub.spawner_class = LocalImageSpawner
    c.LocalImageSpawner.allowed_images = DEMO_IMAGES
elif SPAWNER == "docker-standin":
    c.JupyterHub.spawner_class = with_image_recording(DockerStandinSpawner)
    c.DockerStandinSpawner.image = next(iter(DEMO_IMAGES.values()))
    c.DockerStandinSpawner.allowed_images = DEMO_IMAGES
    c.DockerStandinSpawner.container_dir = str(STATE_DIR / "standin-containers")
elif SPAWNER == "kube-standin":
    c.JupyterHub.spawner_class = KubeStandinSpawner
    c.KubeStandinSpawner.modify_pod_hook = record_kube_image
    c.KubeStandinSpawner.profile_list = [
        {
            "display_name": "Python basics",
            "slug": "basics",
            "default": True,
            "kubespawner_override": {"image": ALL_DEMO_IMAGES["image-a"]},
        },
        {
            "display_name": "Data science",
            "slug": "data-science",
            "profile_options": {
                "image": {
                    "display_name": "Release",
                    "choices": {
                        "2026-12": {
                            "display_name": "2026.12",
                            "kubespawner_override": {
                                "image": ALL_DEMO_IMAGES["image-b"]
                            },
                        },
                        "2026-06": {
                            "display_name": "2026.06",
                            "kubespawner_override": {
                                "image": "share-link-demo/data-science:2026.06"
                            },
                        },
                    },
                }
            },
        },
    ]
else:
    sys.exit(
        f"SHARE_LINK_SPAWNER must be local, docker-standin or kube-standin,"
        f" got {SPAWNER!r}"
    )
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
if os.geteuid() == 0:
    # CI machines and containers run everything as root; jupyter-server
    # refuses that unless told. Never run a real Hub's users as root.
    c.Spawner.args = ["--allow-root"]
c.Spawner.start_timeout = int(env("SHARE_LINK_SPAWN_START_TIMEOUT", "120"))
c.Spawner.http_timeout = int(env("SHARE_LINK_SPAWN_HTTP_TIMEOUT", "120"))
# How many servers may be starting at once (JupyterHub's default: 100).
# Beyond it the Hub answers 429 and the share-link service waits and retries;
# the tests lower it to see that happen. Unset keeps the Hub's default.
SPAWN_LIMIT = env("SHARE_LINK_CONCURRENT_SPAWN_LIMIT", "")
if SPAWN_LIMIT:
    c.JupyterHub.concurrent_spawn_limit = int(SPAWN_LIMIT)
c.JupyterHub.allow_named_servers = True
c.JupyterHub.named_server_limit_per_user = int(
    env("SHARE_LINK_NAMED_SERVER_LIMIT", "5")
)

# --- The share-link service ---------------------------------------------------
# The lab page's token may call the service (the extension sends it in the
# Authorization header), and every user may use the service.
c.Spawner.oauth_client_allowed_scopes = [f"access:services!service={SERVICE_NAME}"]

# Least privilege: read servers, start them, reach them. Starting another
# user's server is `servers` on JupyterHub 5 and `start:servers` from 6.
START_SCOPE = "start:servers" if jupyterhub.version_info >= (6,) else "servers"
SERVICE_SCOPES = ["read:servers", START_SCOPE, "access:servers"]
# Tests only: drop scopes from the service's role (comma-separated) to check
# that the service names what it lacks. Never set this on a real Hub.
DROPPED_SCOPES = env("SHARE_LINK_TEST_DROP_SERVICE_SCOPES", "").split(",")
SERVICE_SCOPES = [scope for scope in SERVICE_SCOPES if scope not in DROPPED_SCOPES]
c.JupyterHub.load_roles = [
    {
        "name": "share-link-service",
        "description": "What the share-link service needs, and no more",
        "scopes": SERVICE_SCOPES,
        "services": [SERVICE_NAME],
    },
    {
        "name": "user",
        "description": "Users manage their own servers and use share links",
        "scopes": ["self", f"access:services!service={SERVICE_NAME}"],
    },
]

service_env = {
    # Where the service reaches users' servers (through the proxy).
    "SHARE_LINK_HUB_URL": f"http://127.0.0.1:{HUB_PORT}",
    # The origin people use in their browsers; links are built on it.
    "SHARE_LINK_PUBLIC_URL": env("SHARE_LINK_PUBLIC_URL", HUB_ORIGIN),
    "SHARE_LINK_KEYS_FILE": env(
        "SHARE_LINK_KEYS_FILE", str(STATE_DIR / "share-link-keys.json")
    ),
    "SHARE_LINK_SERVICE_PORT": str(SERVICE_PORT),
    "PATH": os.environ.get("PATH", ""),
}
# Node's own options for the service, e.g. a heap cap (see README, Benchmarks).
if os.environ.get("SHARE_LINK_NODE_OPTIONS"):
    service_env["NODE_OPTIONS"] = os.environ["SHARE_LINK_NODE_OPTIONS"]
# Pass the service's own settings through (expiry limits, log level, ...).
# Never the tests' admin token: the service gets its own, least-privilege one.
for name, value in os.environ.items():
    if (
        name.startswith("SHARE_LINK_")
        and name not in service_env
        and not name.startswith("SHARE_LINK_TEST_")
        and name != "SHARE_LINK_SERVICE_API_TOKEN"
    ):
        service_env[name] = value

SERVICE_URL = env("SHARE_LINK_SERVICE_URL", f"http://127.0.0.1:{SERVICE_PORT}")
share_link_service = {
    "name": SERVICE_NAME,
    "display": False,
    "url": SERVICE_URL,
    "oauth_no_confirm": True,
}
# An external service (its own processes, e.g. several replicas behind a load
# balancer) is given its API token; otherwise the Hub runs the service itself.
EXTERNAL_TOKEN = os.environ.get("SHARE_LINK_SERVICE_API_TOKEN")
if EXTERNAL_TOKEN:
    share_link_service["api_token"] = EXTERNAL_TOKEN
else:
    share_link_service["command"] = [
        env("SHARE_LINK_NODE", "node"),
        str(ROOT / "packages" / "service" / "dist" / "main.js"),
    ]
    share_link_service["environment"] = service_env
c.JupyterHub.services = [share_link_service]

# --- Tests only ---------------------------------------------------------------
# The integration tests drive the Hub's REST API with an admin token of their
# own. Never set this variable on a real Hub.
TEST_ADMIN_TOKEN = os.environ.get("SHARE_LINK_TEST_ADMIN_TOKEN")
if TEST_ADMIN_TOKEN:
    c.JupyterHub.services.append({"name": "test-admin", "api_token": TEST_ADMIN_TOKEN})
    c.JupyterHub.load_roles.append({"name": "admin", "services": ["test-admin"]})

if not os.environ.get("SHARE_LINK_QUIET"):
    print(
        f"share-link demo: {HUB_ORIGIN}{BASE_URL} - log in with any name and"
        f" the password {DEMO_PASSWORD!r}",
        file=sys.stderr,
    )
