/**
 * The service's keys: one secret per key id, from which the link signing
 * key, the link encryption key and the cookie key are derived.
 *
 * The key file holds every key still accepted; the active one makes new
 * links and cookies. Rotation adds a key and makes it active; links made
 * with the older key keep working until that key is removed from the file.
 */
import { KeyObject, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync, renameSync } from 'node:fs';

/** The keys derived from one secret. */
export interface IKey {
  /** The key id, carried in tokens as `kid`. */
  id: string;
  /**
   * HMAC key for signing links, as a KeyObject: given a Buffer,
   * jsonwebtoken tries to read it as a public key on every verification,
   * which costs most of the time a verification takes.
   */
  sign: KeyObject;
  /** AES-256-GCM key for the encrypted part of links. */
  encrypt: Buffer;
  /** AES-256-GCM key for cookies. */
  cookie: Buffer;
}

/** The key file's content. */
interface IKeyFile {
  version: 1;
  active: string;
  keys: Array<{ id: string; secret: string; created: string }>;
}

/** The keys the service accepts, and the one it uses for new tokens. */
export class KeyRing {
  constructor(keys: IKey[], activeId: string) {
    this._keys = new Map(keys.map(k => [k.id, k]));
    const active = this._keys.get(activeId);
    if (!active) {
      throw new Error(`the active key ${activeId} is not in the key file`);
    }
    this.active = active;
  }

  /** The key new links and cookies are made with. */
  readonly active: IKey;

  /** The key with id `id`, if it is still accepted. */
  get(id: string): IKey | undefined {
    return this._keys.get(id);
  }

  /** Every accepted key, the active one first. */
  all(): IKey[] {
    return [
      this.active,
      ...[...this._keys.values()].filter(k => k !== this.active)
    ];
  }

  private _keys: Map<string, IKey>;
}

/** Derive a key's parts from its secret. */
export function deriveKey(id: string, secret: Buffer): IKey {
  const part = (purpose: string) =>
    Buffer.from(hkdfSync('sha256', secret, id, `share-link ${purpose}`, 32));
  return {
    id,
    sign: createSecretKey(part('link signing')),
    encrypt: part('link encryption'),
    cookie: part('cookies')
  };
}

/**
 * Load the key file.
 *
 * @throws Error with a message naming the file and what is wrong with it.
 */
export function loadKeyRing(path: string): KeyRing {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `cannot read the key file ${path} (${reason}); create one with` +
        ` share-link-keygen --file ${path}`
    );
  }
  const file = checkKeyFile(parsed, path);
  const keys = file.keys.map(k => {
    const secret = Buffer.from(k.secret, 'base64url');
    if (secret.length < 32) {
      throw new Error(`key ${k.id} in ${path} is shorter than 32 bytes`);
    }
    return deriveKey(k.id, secret);
  });
  return new KeyRing(keys, file.active);
}

/**
 * Add a new key to the key file (creating it if needed) and make it active.
 * Older keys stay, so links made with them still work.
 *
 * @returns the new key's id.
 */
export function addKey(path: string, now = new Date()): string {
  const file: IKeyFile = existsSync(path)
    ? checkKeyFile(JSON.parse(readFileSync(path, 'utf8')), path)
    : { version: 1, active: '', keys: [] };
  const id =
    now.toISOString().slice(0, 10).replace(/-/g, '') +
    '-' +
    randomBytes(3).toString('hex');
  file.keys.push({
    id,
    secret: randomBytes(32).toString('base64url'),
    created: now.toISOString()
  });
  file.active = id;
  writeKeyFile(path, file);
  return id;
}

/**
 * Remove a key: links and cookies made with it stop working at once.
 *
 * @throws Error when the key is unknown or is the active one.
 */
export function removeKey(path: string, id: string): void {
  const file = checkKeyFile(JSON.parse(readFileSync(path, 'utf8')), path);
  if (file.active === id) {
    throw new Error(`key ${id} is the active key: add a new key first`);
  }
  const kept = file.keys.filter(k => k.id !== id);
  if (kept.length === file.keys.length) {
    throw new Error(`there is no key ${id} in ${path}`);
  }
  writeKeyFile(path, { ...file, keys: kept });
}

/** The ids in a key file, and which is active (never the secrets). */
export function listKeys(path: string): { active: string; ids: string[] } {
  const file = checkKeyFile(JSON.parse(readFileSync(path, 'utf8')), path);
  return { active: file.active, ids: file.keys.map(k => k.id) };
}

function writeKeyFile(path: string, file: IKeyFile): void {
  // Write then rename, so a reader never sees half a file.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(file, null, 2) + '\n', {
    mode: 0o600
  });
  renameSync(temporary, path);
}

function checkKeyFile(value: unknown, path: string): IKeyFile {
  const fail = (what: string): never => {
    throw new Error(`the key file ${path} is not valid: ${what}`);
  };
  if (typeof value !== 'object' || value === null) {
    return fail('not a JSON object');
  }
  const file = value as Partial<IKeyFile>;
  if (file.version !== 1) {
    fail('"version" must be 1');
  }
  if (!Array.isArray(file.keys)) {
    return fail('"keys" must be a list');
  }
  for (const key of file.keys) {
    if (
      typeof key?.id !== 'string' ||
      !/^[A-Za-z0-9_-]{1,64}$/.test(key.id) ||
      typeof key.secret !== 'string'
    ) {
      fail('every key needs an "id" (letters, digits, - and _) and a "secret"');
    }
  }
  if (file.keys.length && typeof file.active !== 'string') {
    fail('"active" must name one of the keys');
  }
  return file as IKeyFile;
}
