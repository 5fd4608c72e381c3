"""Record the image a spawner actually resolved into the server's options.

The share-link service reads a server's environment from the Hub's server
model (``GET /hub/api/users/<user>`` -> ``servers[name].user_options``). What
a user asked for is not always what runs: an empty request means the
spawner's default image or profile. These hooks add what really ran:

- ``share_link_image``: the resolved image spec, for display and matching
  only. The service never spawns with it.
- the spawner's own choice key when the user chose nothing: ``image`` (a key
  of DockerSpawner's ``allowed_images``) or ``profile`` (the default
  KubeSpawner profile's slug) with that profile's default option choices, so
  a link made from such a server carries the real environment.

Hooks, by spawner:

- DockerSpawner: ``c.JupyterHub.spawner_class =
  with_image_recording(DockerSpawner)`` (it wraps ``start``; DockerSpawner
  has no post-start hook).
- KubeSpawner: ``c.KubeSpawner.modify_pod_hook = record_kube_image`` (the
  pod it sees carries the final image), or ``chain_modify_pod_hook(hook)``
  to keep a hook already configured.
- Local image spawners (hub/local_images.py, hub/standins.py): call
  ``record_resolved_image`` at the end of ``start``.

The recorded options persist: the Hub commits them after ``start`` and
reuses them for a later start that passes no options, which then starts the
same recorded choice (re-recorded on every start).

Needs only JupyterHub and the standard library, so a Zero to JupyterHub hub
pod can load it as a mounted file (deploy/kubernetes/values.yaml).
"""

import inspect
import re

SHARE_LINK_IMAGE_KEY = "share_link_image"
"""The user_options key holding the resolved image spec."""


def record_resolved_image(spawner, image, chosen=None):
    """Store ``image`` (and ``chosen`` keys the user left out) in the options.

    Both ``spawner.user_options`` and ``spawner.orm_spawner.user_options`` get
    a new dict: the database column does not notice in-place edits.
    ``chosen`` never overrides a key the user set.
    """
    options = dict(spawner.user_options or {})
    for key, value in (chosen or {}).items():
        options.setdefault(key, value)
    if image:
        options[SHARE_LINK_IMAGE_KEY] = image
    spawner.user_options = options
    orm_spawner = getattr(spawner, "orm_spawner", None)
    if orm_spawner is not None:
        orm_spawner.user_options = dict(options)
    spawner.log.info(
        "Recorded the environment of %s: image %s, defaults %s",
        getattr(spawner, "_log_name", spawner.name),
        image,
        chosen or {},
    )
    return options


# --- DockerSpawner -----------------------------------------------------------


def docker_allowed_images(spawner):
    """``allowed_images`` as DockerSpawner evaluates it: a dict, ``"*"`` or
    empty. A list is a dict of identical keys and values; a callable is
    called with the spawner."""
    evaluate = getattr(spawner, "_get_allowed_images", None)
    allowed = evaluate() if evaluate else spawner.allowed_images
    if callable(allowed):
        allowed = allowed(spawner)
    if isinstance(allowed, list):
        allowed = {image: image for image in allowed}
    return allowed or {}


def docker_image_choice(spawner, image):
    """``{"image": key}`` for the first ``allowed_images`` key that resolves
    to ``image``, or ``{}`` when none does (or any image is allowed)."""
    allowed = docker_allowed_images(spawner)
    if not isinstance(allowed, dict):
        return {}
    for key, value in allowed.items():
        if value == image:
            return {"image": key}
    return {}


async def docker_running_image(spawner):
    """The image of the container that was started.

    With ``remove = False`` (DockerSpawner's default) an existing container
    is restarted whatever image was asked for, so the container's own image
    is the truth; ``spawner.image`` is the fallback.
    """
    get_object = getattr(spawner, "get_object", None)
    if get_object is not None:
        try:
            found = get_object()
            if inspect.isawaitable(found):
                found = await found
            image = ((found or {}).get("Config") or {}).get("Image")
            if image:
                return image
        except Exception as error:  # the container is up; recording is extra
            spawner.log.warning(
                "Could not read the container's image, recording %s: %s",
                spawner.image,
                error,
            )
    return spawner.image


async def record_docker_image(spawner):
    """Record the image of a started DockerSpawner (or stand-in) server."""
    image = await docker_running_image(spawner)
    chosen = {}
    if not (spawner.user_options or {}).get("image"):
        chosen = docker_image_choice(spawner, image)
    record_resolved_image(spawner, image, chosen)


def with_image_recording(spawner_class):
    """A subclass of a DockerSpawner-like class whose ``start`` records the
    image it started (``record_docker_image``)."""

    class ImageRecordingSpawner(spawner_class):
        async def start(self):
            started = await super().start()
            await record_docker_image(self)
            return started

    ImageRecordingSpawner.__name__ = f"ImageRecording{spawner_class.__name__}"
    ImageRecordingSpawner.__qualname__ = ImageRecordingSpawner.__name__
    return ImageRecordingSpawner


# --- KubeSpawner -------------------------------------------------------------


def slugify_display_name(name):
    """A slug for a profile without one (ASCII approximation of the
    python-slugify call KubeSpawner makes; give profiles explicit slugs)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


async def kube_profiles(spawner):
    """``profile_list`` as KubeSpawner initialises it: a list (a dict's
    values sorted by key), callables evaluated, every profile with a slug,
    one default profile and a default choice for each option with choices."""
    profiles = spawner.profile_list
    if isinstance(profiles, dict):
        profiles = [profiles[key] for key in sorted(profiles)]
    if callable(profiles):
        profiles = profiles(spawner)
        if inspect.isawaitable(profiles):
            profiles = await profiles
    initialise = getattr(spawner, "_get_initialized_profile_list", None)
    if initialise is not None:
        return initialise(profiles)
    profiles = [dict(p) for p in profiles or []]
    for profile in profiles:
        profile.setdefault("slug", slugify_display_name(profile["display_name"]))
    if profiles and not any(p.get("default") for p in profiles):
        profiles[0]["default"] = True
    return profiles


def kube_default_choices(profile, options):
    """The option choices a profile falls back to for options not in
    ``options`` (options given as an unlisted choice are left out)."""
    chosen = {}
    for name, option in (profile.get("profile_options") or {}).items():
        if options.get(name) or options.get(f"{name}--unlisted-choice"):
            continue
        choices = option.get("choices") or {}
        default = next((k for k, c in choices.items() if c.get("default")), None)
        if default is None and choices:
            default = next(iter(choices))
        if default is not None:
            chosen[name] = default
    return chosen


async def kube_profile_choice(spawner):
    """``{"profile": slug, <option>: choice}`` for what ``spawner`` started
    with: the default profile when none was asked for, and the default
    choices of options not asked for. ``{}`` without a profile list."""
    profiles = await kube_profiles(spawner)
    if not profiles:
        return {}
    options = spawner.user_options or {}
    slug = options.get("profile")
    profile = next(
        (p for p in profiles if (p["slug"] == slug if slug else p.get("default"))),
        None,
    )
    if profile is None:  # KubeSpawner refused it before building the pod
        return {}
    return {"profile": profile["slug"], **kube_default_choices(profile, options)}


def notebook_container_image(pod):
    """The image of the pod's ``notebook`` container (KubeSpawner's name
    for the user's container), else of its first container."""
    containers = list(pod.spec.containers or [])
    notebook = next((c for c in containers if c.name == "notebook"), None)
    container = notebook or (containers[0] if containers else None)
    return container.image if container is not None else None


async def record_kube_image(spawner, pod):
    """A KubeSpawner ``modify_pod_hook`` recording the pod's image and the
    profile it came from; returns the pod unchanged."""
    image = notebook_container_image(pod) or spawner.image
    record_resolved_image(spawner, image, await kube_profile_choice(spawner))
    return pod


def chain_modify_pod_hook(previous=None):
    """A ``modify_pod_hook`` that runs ``previous`` (an admin's own hook),
    then records the image of the pod it returned."""

    async def modify_pod_then_record_image(spawner, pod):
        if previous is not None:
            pod = previous(spawner, pod)
            if inspect.isawaitable(pod):
                pod = await pod
        return await record_kube_image(spawner, pod)

    return modify_pod_then_record_image
