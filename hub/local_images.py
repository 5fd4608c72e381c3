"""A spawner that runs single-user servers as local processes and offers
"images" the way DockerSpawner does.

Locally an image is a named environment: the same Python installation, with
``JUPYTER_IMAGE_SPEC`` and ``JUPYTER_IMAGE`` set in the server's environment
exactly as a container of that image would have them. The options form, the
``allowed_images`` mapping and the ``user_options = {"image": key}`` shape are
DockerSpawner's, so the share-link service sees what it sees on a Docker Hub.

For the demo and the tests only: every user's server runs as the Hub's own
system user, in a directory of its own, with no isolation between users.
"""

import asyncio
import html
import os

from jupyterhub.spawner import SimpleLocalProcessSpawner
from record_image import record_docker_image
from traitlets import Dict, Unicode, default


class LocalImageSpawner(SimpleLocalProcessSpawner):
    """Local processes that pretend to be containers of an allowed image."""

    allowed_images = Dict(
        config=True,
        help="""Images a user may choose: display key -> image spec,
        as DockerSpawner's ``allowed_images``. Empty means no choice.""",
    )

    image = Unicode(
        config=True,
        help="The image spec used when the user chooses none.",
    )

    @default("image")
    def _default_image(self):
        if self.allowed_images:
            return next(iter(self.allowed_images.values()))
        return "local/default:latest"

    @default("options_form")
    def _default_options_form(self):
        if len(self.allowed_images) <= 1:
            return ""
        options = "".join(
            f'<option value="{html.escape(key)}">{html.escape(key)}</option>'
            for key in self.allowed_images
        )
        return (
            '<label for="image-select">Image</label>'
            f'<select class="form-control" name="image" id="image-select">'
            f"{options}</select>"
        )

    def options_from_form(self, formdata):
        """Turn the form's ``image`` field into ``{"image": key}``."""
        options = {}
        if formdata.get("image"):
            options["image"] = formdata["image"][0]
        return options

    def resolve_image(self):
        """The image spec for this start, validated like DockerSpawner does."""
        key = (self.user_options or {}).get("image")
        if not key:
            return self.image
        if not self.allowed_images:
            raise ValueError("No image choice is allowed on this Hub")
        if key not in self.allowed_images:
            raise ValueError(
                f"Image {key!r} is not in allowed_images:"
                f" {', '.join(self.allowed_images)}"
            )
        return self.allowed_images[key]

    def get_env(self):
        env = super().get_env()
        env["JUPYTER_IMAGE_SPEC"] = self.image
        env["JUPYTER_IMAGE"] = self.image
        return env

    async def start(self):
        self.image = self.resolve_image()
        await _test_delay("SHARE_LINK_TEST_SPAWN_DELAY")
        os.makedirs(self.home_dir, mode=0o700, exist_ok=True)
        started = await super().start()
        await self.record_environment()
        return started

    async def stop(self, now=False):
        await _test_delay("SHARE_LINK_TEST_STOP_DELAY")
        return await super().stop(now=now)

    async def record_environment(self):
        """Record the image into the server's options (hub/record_image.py)
        so share links carry it; stand-ins record through their own hooks."""
        await record_docker_image(self)


async def _test_delay(variable):
    """Tests and demos only: wait the seconds in ``variable`` (unset: none).

    A slow start (after the image is validated, as a real image pull would
    be) or a slow stop, so the share-link tests can open links while a
    server is starting or stopping and the Hub is at its spawn limit. The
    spawner runs inside the Hub's process and reads the Hub's environment;
    never set these on a real Hub.
    """
    seconds = float(os.environ.get(variable) or 0)
    if seconds > 0:
        await asyncio.sleep(seconds)
