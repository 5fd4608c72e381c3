/**
 * 5. Token verification per second: `redeemLink` on a link the running
 * service minted, in a loop on this process's one JavaScript thread,
 * against `jwt.verify` of the same token alone.
 */
import { KeyObject } from 'node:crypto';
import { join } from 'node:path';

import jwt from 'jsonwebtoken';

import { KeyRing, loadKeyRing } from '../../../packages/service/dist/keys';
import { audienceFor, redeemLink } from '../../../packages/service/dist/links';
import { IPair } from '../lib/pair';
import { IBenchOptions, ITarget, fmt, table } from '../lib/result';
import { rounded, summarize } from '../lib/stats';
import { mint } from '../lib/world';

/** How many times `action` runs per second, over `ms` milliseconds. */
function perSecond(action: () => void, ms: number) {
  let count = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 100; i++) {
      action();
    }
    count += 100;
    elapsed = performance.now() - start;
  }
  const used = process.cpuUsage(cpu);
  return {
    perSecond: count / (elapsed / 1000),
    cpuShare: (used.user + used.system) / 1000 / elapsed
  };
}

/** Run the verification benchmark. */
export async function verifyBenchmark(pair: IPair, options: IBenchOptions) {
  const { hub } = pair;
  const url = await mint(hub, pair.aliceToken, 'srv', 'bench-open.ipynb');
  const token = decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));
  const keys = loadKeyRing(join(hub.stateDir, 'share-link-keys.json'));
  const audience = audienceFor(
    hub.origin,
    `${hub.baseUrl}services/share-link/`
  );
  const link = redeemLink(keys, token, { audience });
  const secret = keys.get(link.keyId)?.sign;
  if (!secret) {
    throw new Error('the link key is missing');
  }
  const runs = options.quick ? 2 : 7;
  const ms = options.quick ? 300 : 2000;
  // Before keys.ts held the HMAC key as a KeyObject, it was a Buffer:
  // jsonwebtoken 9 then tries to parse it as a public key (and fails) on
  // every call. Measured side by side to show what the KeyObject saves.
  const bufferKeys = new KeyRing(
    keys.all().map(key => ({
      ...key,
      sign: key.sign.export() as unknown as KeyObject
    })),
    keys.active.id
  );
  redeemLink(bufferKeys, token, { audience });
  const redeem: number[] = [];
  const redeemKeyObject: number[] = [];
  const verify: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < runs; run++) {
    const r = perSecond(() => redeemLink(keys, token, { audience }), ms);
    redeem.push(r.perSecond);
    redeemKeyObject.push(
      perSecond(() => redeemLink(bufferKeys, token, { audience }), ms).perSecond
    );
    cpu.push(r.cpuShare);
    verify.push(
      perSecond(
        () => jwt.verify(token, secret, { algorithms: ['HS256'], audience }),
        ms
      ).perSecond
    );
  }
  options.log(`verify: ${runs} runs of ${ms} ms`);
  const r = summarize(redeem);
  const v = summarize(verify);
  const k = summarize(redeemKeyObject);
  const targets: ITarget[] = [
    {
      what: 'link verification per second, one core',
      target: '>= 5,000/s',
      measured: `${fmt(r.median, 0)}/s`,
      met: r.median >= 5000
    }
  ];
  const markdown = [
    `${runs} runs of ${ms / 1000} s each; the loop's CPU use was`,
    `${fmt(summarize(cpu).median, 2)} of one core. A ${token.length}-character`,
    'token minted by the running service.',
    '',
    table(
      ['what', 'per second (median)', 'min–max'],
      [
        [
          'redeemLink (signature, claims, AES-GCM open)',
          fmt(r.median, 0),
          `${fmt(r.min, 0)}–${fmt(r.max, 0)}`
        ],
        [
          'redeemLink, signing key as a Buffer (before the change)',
          fmt(k.median, 0),
          `${fmt(k.min, 0)}–${fmt(k.max, 0)}`
        ],
        [
          'baseline: jwt.verify alone',
          fmt(v.median, 0),
          `${fmt(v.min, 0)}–${fmt(v.max, 0)}`
        ]
      ]
    ),
    '',
    `redeemLink runs at ${fmt(r.median / v.median, 2)}x the rate of`,
    'jwt.verify alone: nearly all of its time is in jsonwebtoken. Given the',
    'HMAC key as a Buffer, jsonwebtoken 9 calls `crypto.createPublicKey` on',
    'it first, on every call, and catches the failure; a CPU profile of the',
    'loop puts most of the time there. keys.ts holds the key as a KeyObject',
    '(`crypto.createSecretKey`, once), which skips that: the Buffer row',
    `above is ${fmt(r.median / k.median, 0)}x slower.`
  ].join('\n');
  return {
    targets,
    markdown,
    data: {
      tokenLength: token.length,
      redeemPerSecond: rounded(r),
      jwtVerifyPerSecond: rounded(v),
      ratioToJwtVerify: r.median / v.median,
      redeemWithBufferKeyPerSecond: rounded(k),
      cpuShare: summarize(cpu).median
    }
  };
}
