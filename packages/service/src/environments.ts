/**
 * Environments: what a server runs, as people see it and as links carry it.
 *
 * A server's environment is read from its spawn options as the Hub reports
 * them (`user_options`):
 * - DockerSpawner: `{"image": key}`, a key of `allowed_images`;
 * - KubeSpawner: `{"profile": slug, <option>: choice, ...}`;
 * - any other spawner: whatever options it takes, compared as a whole.
 * The Hub-side recording hook (hub/record_image.py) adds `share_link_image`,
 * the image the spawner actually resolved: it is shown to people and
 * compared when both sides have it, but never sent back to a spawner.
 * Options an admin lists in SHARE_LINK_ENVIRONMENT_IGNORE_KEYS are not part
 * of the environment (e.g. a memory choice that does not change software).
 */
import { createHash } from 'node:crypto';

/** The key under which the Hub-side hook records the resolved image. */
export const RECORDED_IMAGE_KEY = 'share_link_image';

/** A server's environment. */
export interface IEnvironment {
  /**
   * A canonical id: equal ids mean the same environment; `''` means the
   * Hub's default (no options: no pinning).
   */
  id: string;
  /** For people: e.g. `image-b (share-link-demo/data-science:2026.12)`. */
  label: string;
  /** Whether the environment is pinned (starting it needs options). */
  pinned: boolean;
  /** The options to start this environment with (what the spawner takes). */
  spawnOptions: Record<string, unknown>;
  /** The resolved image, when the Hub recorded it. */
  image?: string;
}

/** Read the environment of a server from its recorded spawn options. */
export function environmentOf(
  userOptions: Record<string, unknown>,
  ignoreKeys: readonly string[] = []
): IEnvironment {
  const spawnOptions: Record<string, unknown> = {};
  for (const key of Object.keys(userOptions).sort()) {
    if (key !== RECORDED_IMAGE_KEY && !ignoreKeys.includes(key)) {
      spawnOptions[key] = userOptions[key];
    }
  }
  const recorded = userOptions[RECORDED_IMAGE_KEY];
  const image = typeof recorded === 'string' && recorded ? recorded : undefined;
  const id = canonicalId(spawnOptions);
  return {
    id,
    label: describe(spawnOptions, image),
    pinned: id !== '',
    spawnOptions,
    image
  };
}

/**
 * Whether a server of environment `candidate` can run a file shared from
 * environment `wanted`.
 */
export function sameEnvironment(
  wanted: IEnvironment,
  candidate: IEnvironment
): boolean {
  if (wanted.id !== candidate.id) {
    return false;
  }
  // Same options but a different resolved image (the admin changed what a
  // key means, or the default moved): not the same software.
  return !(wanted.image && candidate.image && wanted.image !== candidate.image);
}

/**
 * A stable, valid named-server name for an environment: lowercase letters,
 * digits and hyphens, starting with a letter, at most 30 characters (the
 * rule JupyterHub 6 enforces).
 */
export function serverNameFor(environment: IEnvironment): string {
  const readable = Object.values(environment.spawnOptions)
    .map(value => (typeof value === 'string' ? value : JSON.stringify(value)))
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const hash = createHash('sha256')
    .update(environment.id)
    .digest('hex')
    .slice(0, 6);
  const name = `env-${readable}`.slice(0, 30).replace(/-+$/, '');
  // Names cut short, or made of nothing readable, get a hash to stay apart.
  if (!readable || `env-${readable}`.length > 30) {
    return `${name.slice(0, 23).replace(/-+$/, '')}-${hash}`;
  }
  return name;
}

function canonicalId(options: Record<string, unknown>): string {
  const keys = Object.keys(options).sort();
  return keys.map(k => `${k}=${stableJson(options[k])}`).join('&');
}

function stableJson(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (Array.isArray(value)) {
    return `[${value.map(stableJson).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map(k => `${k}:${stableJson(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function describe(
  options: Record<string, unknown>,
  image: string | undefined
): string {
  const parts: string[] = [];
  const { profile, image: imageKey, ...rest } = options;
  if (typeof profile === 'string') {
    parts.push(`profile ${profile}`);
  }
  if (typeof imageKey === 'string') {
    // A Docker image key names itself; beside other options, say what it is.
    const alone = typeof profile !== 'string' && !Object.keys(rest).length;
    parts.push(alone ? imageKey : `image ${imageKey}`);
  }
  for (const [key, value] of Object.entries(rest)) {
    parts.push(`${key} ${stableJson(value)}`);
  }
  const named = parts.join(', ');
  if (image && !named.includes(image)) {
    return named ? `${named} (${image})` : image;
  }
  return named || "the Hub's default environment";
}
