/**
 * The baselines: a minimal client of the Contents API doing what a person
 * downloading a file and uploading it again through JupyterLab would do,
 * with the same token-authenticated requests through the Hub's proxy that
 * the service makes.
 */
import { IHub } from '../../../tests/harness/hub';
import { encodePath, serverUrl } from '../../../tests/harness/api';

/** JupyterLab's upload chunk: 1 MiB. */
export const LAB_CHUNK_BYTES = 1024 * 1024;

/** A server of a user, reached with a token. */
export interface IDirectTarget {
  hub: IHub;
  user: string;
  server: string;
  /** A token with access to the server (the benchmarks' admin token). */
  token: string;
}

function url(target: IDirectTarget, path: string): string {
  return serverUrl(target.hub, target.user, target.server) + path;
}

async function expectStatus(res: Response, ok: number[], what: string) {
  if (!ok.includes(res.status)) {
    throw new Error(`${what} answered ${res.status}: ${await res.text()}`);
  }
  await res.body?.cancel();
}

/** Download a file's bytes (`GET files/<path>`). */
export async function download(
  target: IDirectTarget,
  path: string
): Promise<Buffer> {
  const res = await fetch(url(target, `files/${encodePath(path)}`), {
    headers: { Authorization: `token ${target.token}` },
    redirect: 'manual'
  });
  if (res.status !== 200) {
    throw new Error(`download answered ${res.status}`);
  }
  return Buffer.from(await res.arrayBuffer());
}

/** One `PUT api/contents/<path>` of base64 content, chunked or not. */
export async function putBase64(
  target: IDirectTarget,
  path: string,
  content: Buffer,
  chunk?: number
): Promise<void> {
  const res = await fetch(url(target, `api/contents/${encodePath(path)}`), {
    method: 'PUT',
    headers: {
      Authorization: `token ${target.token}`,
      'Content-Type': 'application/json'
    },
    body: JSON.stringify({
      type: 'file',
      format: 'base64',
      content: content.toString('base64'),
      ...(chunk === undefined ? {} : { chunk })
    }),
    redirect: 'manual'
  });
  await expectStatus(res, [200, 201], `PUT ${path}`);
}

/**
 * Upload like JupyterLab's file browser: one request for a file up to a
 * chunk, else chunks numbered 1, 2, ... with the last one as -1.
 */
export async function upload(
  target: IDirectTarget,
  path: string,
  bytes: Buffer,
  chunkBytes = LAB_CHUNK_BYTES
): Promise<void> {
  if (bytes.length <= chunkBytes) {
    await putBase64(target, path, bytes);
    return;
  }
  for (let start = 0, n = 1; start < bytes.length; start += chunkBytes, n++) {
    const end = Math.min(start + chunkBytes, bytes.length);
    await putBase64(
      target,
      path,
      bytes.subarray(start, end),
      end === bytes.length ? -1 : n
    );
  }
}

/** What the Contents API says of a path, without content. */
export async function stat(target: IDirectTarget, path: string) {
  const res = await fetch(
    url(target, `api/contents/${encodePath(path)}?content=0`),
    { headers: { Authorization: `token ${target.token}` }, redirect: 'manual' }
  );
  if (res.status !== 200) {
    throw new Error(`stat answered ${res.status}`);
  }
  return (await res.json()) as { size?: number; type: string };
}

/** `HEAD files/<path>`, as the service checks a file before minting. */
export async function head(target: IDirectTarget, path: string) {
  const res = await fetch(url(target, `files/${encodePath(path)}`), {
    method: 'HEAD',
    headers: { Authorization: `token ${target.token}` },
    redirect: 'manual'
  });
  await expectStatus(res, [200], `HEAD ${path}`);
}

/** Delete a file (a missing one is fine). */
export async function remove(target: IDirectTarget, path: string) {
  const res = await fetch(url(target, `api/contents/${encodePath(path)}`), {
    method: 'DELETE',
    headers: { Authorization: `token ${target.token}` },
    redirect: 'manual'
  });
  await expectStatus(res, [204, 404], `DELETE ${path}`);
}
