"""Stand-ins for DockerSpawner and KubeSpawner that run local processes.

Docker and Kubernetes are not available where the tests run. These spawners
take exactly the options the real ones take, refuse what they refuse with
the same kind of error and message, and start the server as a local process
(hub/local_images.py) whose environment says which image it runs
(``JUPYTER_IMAGE_SPEC``), as the container would.

What is emulated, from DockerSpawner 14 (dockerspawner/dockerspawner.py):

- ``allowed_images``: a dict (key -> image), a list (key == image), ``"*"``
  (any image) or a callable returning one of those; empty means the user
  may not choose. Form: ``<select name="image">`` when there are two or
  more; ``user_options = {"image": key}``.
- ``start``: an ``image`` option is checked; an unknown key raises
  ``tornado.web.HTTPError(400, "Image <key> not in allowed list: <keys>")``,
  any key with nothing allowed raises ``HTTPError(400, "Specifying image to
  launch is not allowed")``. No option means ``image``.
- ``remove`` (default False): the server's container outlives a stop, and a
  later start restarts it with the image it was created with, whatever image
  is asked for. Containers are records in ``container_dir``.

From KubeSpawner 7 (kubespawner/spawner.py, kubespawner/templates/form.html):

- ``profile_list``: a list of profiles, a dict (values sorted by key) or a
  callable; slugs default to the display name slugified; the first profile is
  the default unless one says ``default``; each option's first choice is the
  default unless one says ``default``.
- ``user_options = {"profile": slug, <option>: choice}`` (REST API), or from
  the form: ``profile`` and ``profile-option-<slug>--<option>`` fields.
  Empty options, or no ``profile``, mean the default profile and choices;
  other keys are ignored.
- Refusals: an unknown profile raises ``ValueError("No such profile: <slug>.
  Options include: <slugs>")``; an unknown choice raises ``KeyError(<choice>)``
  (KubeSpawner indexes the choices without checking); an unlisted choice
  that is not enabled or fails ``validation_regex`` raises ``ValueError``.
- ``kubespawner_override`` of the profile, then of each choice, applied to
  the spawner (dicts merged); only traits this spawner has take effect
  (``image``, ``environment``, ``default_url``, ...), others are logged.
- ``modify_pod_hook(spawner, pod)`` is called with a pod-like object whose
  ``spec.containers`` holds the ``notebook`` container and its ``image``.

For the demo and the tests only, like hub/local_images.py.
"""

import copy
import html
import json
import os
import re
from types import SimpleNamespace
from urllib.parse import quote

import jupyterhub
from jupyterhub.traitlets import Callable
from jupyterhub.utils import maybe_future
from local_images import LocalImageSpawner
from record_image import slugify_display_name
from tornado import web
from traitlets import Any, Bool, Dict, List, Unicode, Union, default, validate

_HUB_XY = ".".join(jupyterhub.__version__.split(".")[:2])


class DockerStandinSpawner(LocalImageSpawner):
    """Local processes that take DockerSpawner's options and refusals."""

    allowed_images = Union(
        [Any(), Dict(), List()],
        default_value={},
        config=True,
        help="""Images users may run, as DockerSpawner's allowed_images:
        dict (key -> image), list, "*" or a callable returning one.""",
    )

    image = Unicode(
        f"quay.io/jupyterhub/singleuser:{_HUB_XY}",
        config=True,
        help="The image when the user chooses none (DockerSpawner.image).",
    )

    remove = Bool(
        False,
        config=True,
        help="""Delete the server's container when it stops. When False,
        a later start restarts the old container with its old image.""",
    )

    container_dir = Unicode(
        config=True,
        help="Folder of the emulated containers' records.",
    )

    @default("container_dir")
    def _default_container_dir(self):
        return os.path.join(os.path.dirname(self.home_dir), ".standin-containers")

    @validate("allowed_images")
    def _validate_allowed_images(self, proposal):
        allowed = proposal["value"]
        if isinstance(allowed, str) and allowed != "*":
            raise ValueError(
                "'*' (all images) is the only accepted string value for"
                f" allowed_images, got {allowed!r}"
            )
        if isinstance(allowed, list):
            allowed = {image: image for image in allowed}
        return allowed

    def _get_allowed_images(self):
        """``allowed_images`` with a callable evaluated (DockerSpawner's
        name for this)."""
        if callable(self.allowed_images):
            return self._validate_allowed_images(
                {"value": self.allowed_images(self)}
            )
        return self.allowed_images

    @default("options_form")
    def _default_options_form(self):
        allowed = self._get_allowed_images()
        if allowed == "*" or len(allowed) <= 1:
            return ""
        options = "".join(
            f'<option value="{html.escape(key)}"'
            f'{" selected" if key == self.image else ""}>'
            f"{html.escape(key)}</option>"
            for key in allowed
        )
        return (
            '<label for="image">Select an image:</label>'
            '<select class="form-control" name="image" required autofocus>'
            f"{options}</select>"
        )

    def options_from_form(self, formdata):
        """``{"image": key}`` when the form has an ``image`` field."""
        options = {}
        if "image" in formdata:
            options["image"] = formdata["image"][0]
        return options

    async def check_allowed(self, image):
        """The image a requested key stands for, refused as DockerSpawner
        refuses it."""
        allowed = self._get_allowed_images()
        if allowed == "*":
            return image
        if not allowed:
            raise web.HTTPError(400, "Specifying image to launch is not allowed")
        if image not in allowed:
            raise web.HTTPError(
                400,
                f"Image {image} not in allowed list: {', '.join(allowed)}",
            )
        return allowed[image]

    _running_image = ""

    @property
    def _container_record(self):
        name = quote(f"{self.user.name}--{self.name or 'default'}", safe="")
        return os.path.join(self.container_dir, f"{name}.json")

    async def record_environment(self):
        """Nothing here: with_image_recording(DockerStandinSpawner) records,
        as it does for DockerSpawner."""

    async def get_object(self):
        """The server's emulated container (``Config.Image``, as ``docker
        inspect`` shows it), or None."""
        try:
            with open(self._container_record) as record:
                return json.load(record)
        except FileNotFoundError:
            return None

    def _create_object(self):
        os.makedirs(self.container_dir, exist_ok=True)
        container = {"Config": {"Image": self.image}}
        with open(self._container_record, "w") as record:
            json.dump(container, record)
        self.log.info("Created container for %s from %s", self._log_name, self.image)
        return container

    def _remove_object(self):
        try:
            os.remove(self._container_record)
        except FileNotFoundError:
            pass

    def resolve_image(self):
        """The image the container runs (set by ``start``)."""
        return self._running_image

    def get_env(self):
        env = super().get_env()
        env["JUPYTER_IMAGE_SPEC"] = self._running_image
        # DockerSpawner sets only JUPYTER_IMAGE_SPEC.
        env.pop("JUPYTER_IMAGE", None)
        return env

    async def start(self):
        image_option = (self.user_options or {}).get("image")
        if image_option:
            self.image = await self.check_allowed(image_option)

        container = await self.get_object()
        if container and self.remove:
            self._remove_object()
            container = None
        if container is None:
            container = self._create_object()
        else:
            self.log.info(
                "Found existing container for %s (image %s)",
                self._log_name,
                container["Config"]["Image"],
            )
        self._running_image = container["Config"]["Image"]
        image = self.image
        started = await super().start()
        # LocalImageSpawner.start sets image to the running one; DockerSpawner
        # keeps the requested image in self.image.
        self.image = image
        return started

    async def stop(self, now=False):
        await super().stop(now=now)
        if self.remove:
            self._remove_object()


class KubeStandinSpawner(LocalImageSpawner):
    """Local processes that take KubeSpawner's profile options and
    refusals."""

    profile_list = Union(
        trait_types=[List(trait=Dict()), Callable(), Dict()],
        config=True,
        help="KubeSpawner's profile_list: list, dict or callable.",
    )

    image = Unicode(
        "quay.io/jupyterhub/singleuser:latest",
        config=True,
        help="The image when no profile overrides it (KubeSpawner.image).",
    )

    modify_pod_hook = Callable(
        None,
        allow_none=True,
        config=True,
        help="Called as KubeSpawner calls it: hook(spawner, pod) -> pod.",
    )

    @staticmethod
    def _sorted_dict_values(profiles):
        if isinstance(profiles, dict):
            return [profiles[key] for key in sorted(profiles)]
        return profiles

    def _get_initialized_profile_list(self, profiles):
        """A copy with slugs, a default profile and default choices set,
        as KubeSpawner initialises it."""
        profiles = copy.deepcopy(profiles)
        if not profiles:
            return profiles
        for profile in profiles:
            if "slug" not in profile:
                profile["slug"] = slugify_display_name(profile["display_name"])
            for option in profile.get("profile_options", {}).values():
                choices = option.get("choices")
                if choices and not any(c.get("default") for c in choices.values()):
                    choices[next(iter(choices))]["default"] = True
                unlisted = option.setdefault("unlisted_choice", {})
                unlisted.setdefault("enabled", False)
                if unlisted["enabled"]:
                    unlisted.setdefault("display_name_in_choices", "Other...")
        if not any(p.get("default") for p in profiles):
            profiles[0]["default"] = True
        return profiles

    async def _profiles(self):
        profiles = self._sorted_dict_values(self.profile_list)
        if callable(profiles):
            profiles = await maybe_future(profiles(self))
        return self._get_initialized_profile_list(profiles)

    @default("options_form")
    def _default_options_form(self):
        if not self.profile_list:
            return ""
        if callable(self.profile_list):

            async def render(spawner):
                return spawner._render_options_form(await spawner._profiles())

            return render
        return self._render_options_form(
            self._get_initialized_profile_list(
                self._sorted_dict_values(self.profile_list)
            )
        )

    def _render_options_form(self, profiles):
        """Radio buttons named ``profile`` and, per option, a select named
        ``profile-option-<slug>--<option>`` (KubeSpawner's field names)."""
        parts = []
        for profile in profiles:
            slug = html.escape(profile["slug"])
            checked = " checked" if profile.get("default") else ""
            parts.append(
                f'<label class="profile"><input type="radio" name="profile"'
                f' value="{slug}"{checked}/>'
                f' {html.escape(profile.get("display_name", ""))}</label>'
            )
            for name, option in profile.get("profile_options", {}).items():
                field = f"profile-option-{slug}--{html.escape(name)}"
                choices = "".join(
                    f'<option value="{html.escape(key)}"'
                    f'{" selected" if choice.get("default") else ""}>'
                    f'{html.escape(choice.get("display_name", key))}</option>'
                    for key, choice in option.get("choices", {}).items()
                )
                unlisted = option["unlisted_choice"]
                if unlisted["enabled"]:
                    choices += (
                        '<option value="unlisted-choice">'
                        f'{html.escape(unlisted["display_name_in_choices"])}'
                        "</option>"
                    )
                parts.append(
                    f'<label for="{field}">'
                    f'{html.escape(option.get("display_name", name))}</label>'
                    f'<select class="form-control" name="{field}" id="{field}">'
                    f"{choices}</select>"
                )
                if unlisted["enabled"]:
                    label = html.escape(unlisted.get("display_name", ""))
                    parts.append(
                        '<input class="form-control"'
                        f' name="{field}--unlisted-choice" placeholder="{label}"/>'
                    )
        return '<div class="form-group">' + "".join(parts) + "</div>"

    def options_from_form(self, formdata):
        """``{"profile": slug, <option>: value}`` from the form's
        ``profile`` and ``profile-option-<slug>--<option>`` fields; other
        fields are ignored with a warning."""
        slug = formdata.get("profile", [None])[0]
        options = {}
        if slug:
            options["profile"] = slug
            prefix = f"profile-option-{slug}--"
            for key, values in formdata.items():
                if key.startswith(prefix):
                    options[key[len(prefix) :]] = values[0]
        ignored = sorted(
            k
            for k in formdata
            if k != "profile" and not k.startswith("profile-option-")
        )
        if ignored:
            self.log.warning(
                "Ignoring unrecognized form data in spawn request: %s",
                ", ".join(ignored),
            )
        return options

    def _get_profile(self, slug, profiles):
        if not slug:
            return next(p for p in profiles if p.get("default"))
        for profile in profiles:
            if profile["slug"] == slug:
                return profile
        raise ValueError(
            "No such profile: %s. Options include: %s"
            % (slug, ", ".join(p["slug"] for p in profiles))
        )

    def _validate_user_options(self, profiles):
        options = self.user_options or {}
        slug = options.get("profile")
        if not slug:
            return
        profile = self._get_profile(slug, profiles)
        for name, option in profile.get("profile_options", {}).items():
            unlisted = options.get(f"{name}--unlisted-choice")
            if not unlisted:
                continue
            if not option.get("unlisted_choice", {}).get("enabled"):
                raise ValueError(
                    f"Received unlisted_choice for {name} without being enabled."
                )
            regex = option["unlisted_choice"].get("validation_regex")
            if regex and not re.match(regex, unlisted):
                raise ValueError(
                    f"Received unlisted_choice for {name} that failed"
                    " validation regex."
                )

    def _apply_overrides(self, overrides):
        for name, value in overrides.items():
            if callable(value):
                value = value(self)
            if name == "image_spec":  # KubeSpawner's old name for image
                name = "image"
            if not self.has_trait(name):
                self.log.info(
                    "Stand-in ignores kubespawner_override %s (Kubernetes only)",
                    name,
                )
                continue
            current = getattr(self, name)
            if isinstance(value, dict) and isinstance(current, dict):
                merged = dict(current)
                merged.update(value)
                value = {k: v for k, v in merged.items() if v is not None}
            setattr(self, name, value)

    def _load_profile(self, slug, profiles):
        options = self.user_options or {}
        profile = self._get_profile(slug, profiles)
        self._apply_overrides(profile.get("kubespawner_override", {}))
        for name, option in profile.get("profile_options", {}).items():
            unlisted = options.get(f"{name}--unlisted-choice")
            choice = options.get(name)
            if unlisted:
                overrides = _format_value(
                    option["unlisted_choice"].get("kubespawner_override", {}),
                    unlisted,
                )
            elif choice:
                # KubeSpawner indexes without checking: KeyError(choice).
                overrides = option["choices"][choice].get("kubespawner_override", {})
            else:
                if not option.get("choices"):
                    raise ValueError(
                        f"Unable to determine a default choice for {name}."
                    )
                default_choice = next(
                    c for c in option["choices"].values() if c.get("default")
                )
                overrides = default_choice.get("kubespawner_override", {})
            self._apply_overrides(overrides)

    async def load_user_options(self):
        """Validate the options against the profiles and apply the chosen
        profile's overrides, as KubeSpawner does at the start of start()."""
        profiles = await self._profiles()
        self._validate_user_options(profiles)
        slug = (self.user_options or {}).get("profile")
        if profiles:
            self._load_profile(slug, profiles)
        elif slug:
            self.log.warning(
                "Profile %r requested, but no profile_lists are configured", slug
            )

    def resolve_image(self):
        """The profile's image (load_user_options has applied it)."""
        return self.image

    async def record_environment(self):
        """Nothing here: a modify_pod_hook records, as on KubeSpawner."""

    async def start(self):
        await self.load_user_options()
        if self.modify_pod_hook:
            notebook = SimpleNamespace(name="notebook", image=self.image)
            pod = SimpleNamespace(spec=SimpleNamespace(containers=[notebook]))
            await maybe_future(self.modify_pod_hook(self, pod))
        return await super().start()


def _format_value(value, unlisted):
    """``{value}`` in strings replaced by the unlisted choice, recursively;
    other placeholders left as they are."""
    if isinstance(value, str):
        return value.replace("{value}", unlisted)
    if isinstance(value, list):
        return [_format_value(v, unlisted) for v in value]
    if isinstance(value, dict):
        return {
            _format_value(k, unlisted): _format_value(v, unlisted)
            for k, v in value.items()
        }
    return value
