/**
 * The sender and the recipient most benchmarks use: alice shares from her
 * server `srv` (image-b); bob's default server runs image-b too, so an open
 * reuses it and the figures hold no server start.
 */
import { IHub } from '../../../tests/harness/hub';
import { Browser } from './browser';
import { IDirectTarget } from './direct';
import { serviceToken, usersWithServers } from './world';

/** A sender, a logged-in recipient, and direct access to both servers. */
export interface IPair {
  hub: IHub;
  /** alice's token for the service's API. */
  aliceToken: string;
  /** bob's browser, logged in to the Hub. */
  bob: Browser;
  /** alice's server `srv`, with the admin token. */
  source: IDirectTarget;
  /** bob's default server, with the admin token. */
  target: IDirectTarget;
}

/** Create alice and bob, start their servers, log bob in. */
export async function setupPair(hub: IHub): Promise<IPair> {
  await Promise.all([
    usersWithServers(hub, ['alice'], 'srv', { image: 'image-b' }),
    usersWithServers(hub, ['bob'], '', { image: 'image-b' })
  ]);
  const aliceToken = await serviceToken(hub, 'alice');
  const bob = new Browser(hub);
  await bob.login('bob');
  const token = hub.adminToken;
  return {
    hub,
    aliceToken,
    bob,
    source: { hub, user: 'alice', server: 'srv', token },
    target: { hub, user: 'bob', server: '', token }
  };
}

/** The path, below the recipient's root, of a landing URL. */
export function landedPath(location: string): string {
  const marker = '/lab/tree/';
  const at = location.indexOf(marker);
  if (at < 0) {
    throw new Error(`not a landing URL: ${location}`);
  }
  return decodeURIComponent(location.slice(at + marker.length));
}
