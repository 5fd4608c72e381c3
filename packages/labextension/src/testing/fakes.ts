/**
 * Test doubles: a scripted fetch standing in for the share-link service,
 * and a translator that returns the English strings.
 */
import { nullTranslator } from '@jupyterlab/translation';

import { ShareLinkClient } from '../client';

/** The English translation bundle. */
export const trans = nullTranslator.load('jupyterhub_share_link');

/** One request the fake fetch received. */
export interface IRecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A reply the fake fetch gives: JSON, other text, or a network failure. */
export type FakeReply =
  | { status: number; json: unknown }
  | { status: number; text: string; contentType: string }
  | { networkError: string };

/** A fetch that answers from a queue of replies and records requests. */
export class FakeFetch {
  /** The requests received, oldest first. */
  readonly requests: IRecordedRequest[] = [];

  /** Queues a reply; a deferred reply waits until its promise resolves. */
  reply(reply: FakeReply | Promise<FakeReply>): this {
    this._replies.push(reply);
    return this;
  }

  /** The fetch function to give the client. */
  readonly fetch = async (
    input: RequestInfo | URL,
    init?: RequestInit
  ): Promise<Response> => {
    this.requests.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined
    });
    const next = this._replies.shift();
    if (next === undefined) {
      throw new Error(`Unexpected request to ${String(input)}`);
    }
    const reply = await next;
    if ('networkError' in reply) {
      throw new TypeError(reply.networkError);
    }
    const text = 'json' in reply ? JSON.stringify(reply.json) : reply.text;
    const type = 'json' in reply ? 'application/json' : reply.contentType;
    return {
      ok: reply.status >= 200 && reply.status < 300,
      status: reply.status,
      headers: new Headers({ 'Content-Type': type }),
      json: async () => JSON.parse(text) as unknown,
      text: async () => text
    } as Response;
  };

  private readonly _replies: (FakeReply | Promise<FakeReply>)[] = [];
}

/** A client of the fake service at `/services/share-link/`. */
export function fakeClient(fake: FakeFetch): ShareLinkClient {
  return new ShareLinkClient({
    baseUrl: '/services/share-link/',
    token: 'page-token',
    fetch: fake.fetch
  });
}

/** The service's info reply for a server running image-b. */
export const INFO_REPLY = {
  version: '0.1.0',
  expiry: { defaultSeconds: 86400, maxSeconds: 2592000 },
  // eslint-disable-next-line jupyter/no-untranslated-string -- the service's words
  environment: { id: 'image=image-b', label: 'image-b', pinned: true }
};

/** The service's reply to a created link. */
export const LINK_REPLY = {
  url: 'http://127.0.0.1:8000/services/share-link/l/abc.def',
  expires_at: '2026-12-05T10:00:00.000Z',
  file: { name: 'report.ipynb', size: 1234 },
  environment: INFO_REPLY.environment,
  description: 'A copy of report.ipynb in image-b'
};

/** A promise and the functions that settle it. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
} {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>(done => (resolve = done));
  return { promise, resolve };
}

/** Lets pending promise callbacks run. */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await Promise.resolve();
  }
}
