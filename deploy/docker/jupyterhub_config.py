"""JupyterHub with DockerSpawner and the share-link service.

A starting point for a Hub that runs each user in a Docker container; keep
the "share link" sections, adapt the rest. deploy/README.md walks through it.

The Hub itself runs in a container (for example quay.io/jupyterhub/jupyterhub
with `pip install dockerspawner`) on a Docker network shared with the users'
containers. This file and hub/record_image.py sit side by side in
/srv/jupyterhub/ in that container.

Every value marked "ADAPT" is yours to change; settings come from the
environment where a deployment usually differs.
"""

import os
import sys
from pathlib import Path

import jupyterhub
from dockerspawner import DockerSpawner

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

# record_image.py (hub/record_image.py in the repository) sits beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from record_image import with_image_recording  # noqa: E402

SERVICE_NAME = "share-link"
# "managed": the Hub starts the service (Node 20+ and the built service in the
# Hub's image). "external": the service runs in its own container
# (deploy/service/Dockerfile) on the same Docker network.
SERVICE_MODE = os.environ.get("SHARE_LINK_SERVICE_MODE", "managed")
# The origin people open the Hub at; links are built on it. ADAPT.
PUBLIC_URL = os.environ.get("SHARE_LINK_PUBLIC_URL", "http://localhost:8000")
DOCKER_NETWORK = os.environ.get("DOCKER_NETWORK_NAME", "jupyterhub")

# --- Hub and proxy --------------------------------------------------------------
c.JupyterHub.bind_url = "http://:8000"
# Users' containers reach the Hub by its container name on the network.
c.JupyterHub.hub_bind_url = "http://:8081"
c.JupyterHub.hub_connect_url = "http://jupyterhub:8081"  # ADAPT: Hub container name
c.JupyterHub.db_url = "sqlite:////data/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "/data/jupyterhub_cookie_secret"
c.JupyterHub.allow_named_servers = True

# --- Authentication: ADAPT ------------------------------------------------------
# Use your own authenticator (OAuthenticator, LDAP, ...). The share link
# needs nothing from it beyond Hub users.
c.JupyterHub.authenticator_class = os.environ.get(
    "JUPYTERHUB_AUTHENTICATOR", "dummy"
)
c.Authenticator.allow_all = True

# --- DockerSpawner, recording the image each server really runs ---------------
# with_image_recording wraps DockerSpawner.start: after the container starts,
# its image goes into the server's user_options as share_link_image (and the
# allowed_images key when the user chose none), which the service reads.
c.JupyterHub.spawner_class = with_image_recording(DockerSpawner)
c.DockerSpawner.network_name = DOCKER_NETWORK
# ADAPT: the environments users may choose; the keys go into share links.
c.DockerSpawner.allowed_images = {
    "Python basics": "registry.example.org/minimal-notebook-share-link:2025-12-01",
    "Data science": "registry.example.org/scipy-notebook-share-link:2025-12-01",
}
# ADAPT: pin tags you have pulled, images built with deploy/singleuser/Dockerfile
# (they carry the JupyterLab extension).
c.DockerSpawner.image = "registry.example.org/minimal-notebook-share-link:2025-12-01"
# remove=True: a server started with another image really gets it. With
# DockerSpawner's default (False) a stopped container is restarted with the
# image it was created with, whatever is asked for (the recorded
# share_link_image then still tells the truth). Users' files live in volumes.
c.DockerSpawner.remove = True
c.DockerSpawner.notebook_dir = "/home/jovyan/work"
c.DockerSpawner.volumes = {"jupyterhub-user-{username}": "/home/jovyan/work"}
c.Spawner.default_url = "/lab"

# --- The share-link service -------------------------------------------------------
# The JupyterLab page's token may call the service, and users may use it.
c.Spawner.oauth_client_allowed_scopes = [f"access:services!service={SERVICE_NAME}"]

# Least privilege: read servers, start them, reach them. Starting another
# user's server is `servers` on JupyterHub 5 and `start:servers` from 6.
START_SCOPE = "start:servers" if jupyterhub.version_info >= (6,) else "servers"
c.JupyterHub.load_roles = [
    {
        "name": "share-link-service",
        "description": "What the share-link service needs, and no more",
        "scopes": ["read:servers", START_SCOPE, "access:servers"],
        "services": [SERVICE_NAME],
    },
    {
        # Replaces the default `user` role: keep `self` and add the service.
        "name": "user",
        "description": "Users manage their own servers and use share links",
        "scopes": ["self", f"access:services!service={SERVICE_NAME}"],
    },
]

if SERVICE_MODE == "managed":
    # The Hub starts the service and hands it its JUPYTERHUB_* variables.
    c.JupyterHub.services = [
        {
            "name": SERVICE_NAME,
            "url": "http://127.0.0.1:10101",
            "command": [
                "node",
                os.environ.get(
                    "SHARE_LINK_MAIN_JS",
                    "/srv/share-link/packages/service/dist/main.js",
                ),
            ],
            "environment": {
                # The service reaches users' servers through the proxy.
                "SHARE_LINK_HUB_URL": "http://127.0.0.1:8000",
                "SHARE_LINK_PUBLIC_URL": PUBLIC_URL,
                "SHARE_LINK_KEYS_FILE": os.environ.get(
                    "SHARE_LINK_KEYS_FILE", "/data/share-link-keys.json"
                ),
                "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            },
            "display": False,
            "oauth_no_confirm": True,
        }
    ]
elif SERVICE_MODE == "external":
    # The service runs in its own container named share-link on the same
    # network; it gets the same token as JUPYTERHUB_API_TOKEN.
    api_token = os.environ.get("SHARE_LINK_API_TOKEN")
    if not api_token:
        sys.exit(
            "SHARE_LINK_API_TOKEN is not set: the external share-link service's"
            " token (make one with `openssl rand -hex 32`)"
        )
    c.JupyterHub.services = [
        {
            "name": SERVICE_NAME,
            "url": os.environ.get("SHARE_LINK_SERVICE_URL", "http://share-link:10101"),
            "api_token": api_token,
            "display": False,
            "oauth_no_confirm": True,
        }
    ]
else:
    sys.exit(
        f"SHARE_LINK_SERVICE_MODE must be managed or external, got {SERVICE_MODE!r}"
    )
