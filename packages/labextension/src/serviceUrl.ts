/**
 * Where the share-link service lives, derived from the Hub's paths.
 */

/** The Hub paths a JupyterLab page under JupyterHub knows. */
export interface IHubPaths {
  /** The Hub's prefix, such as `/hub/` or `/jhub/hub/`; absent without Hub. */
  hubPrefix?: string;
  /** The Hub's origin when it differs from the page's, else ''. */
  hubHost?: string;
}

/**
 * The service's base URL, ending with `/`, or null when there is no Hub.
 *
 * Services live beside the Hub, under its base URL: `/jhub/hub/` gives
 * `/jhub/services/<name>/`. The base is never assumed to be `/`.
 */
export function shareLinkServiceUrl(
  paths: IHubPaths,
  serviceName: string
): string | null {
  const hubPrefix = paths.hubPrefix ?? '';
  if (!hubPrefix) {
    return null;
  }
  const prefix = hubPrefix.endsWith('/') ? hubPrefix : `${hubPrefix}/`;
  const base = prefix.replace(/hub\/$/, '');
  const host = (paths.hubHost ?? '').replace(/\/+$/, '');
  const name = encodeURIComponent(serviceName);
  return `${host}${base}services/${name}/`;
}
