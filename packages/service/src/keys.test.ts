/** The key file: creation, rotation, removal, and what it refuses. */
import {
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { addKey, deriveKey, listKeys, loadKeyRing, removeKey } from './keys';

describe('keys', () => {
  let folder: string;
  let file: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'share-link-keys-'));
    file = join(folder, 'keys.json');
  });

  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  describe('#addKey()', () => {
    it('should create a key file readable by its owner only', () => {
      const id = addKey(file, new Date('2026-12-04T10:00:00Z'));
      expect(id).toMatch(/^20261204-[0-9a-f]{6}$/);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(listKeys(file)).toEqual({ active: id, ids: [id] });
      expect(loadKeyRing(file).active.id).toBe(id);
    });

    it('should keep older keys and make the new one active', () => {
      const first = addKey(file);
      const second = addKey(file);
      const ring = loadKeyRing(file);
      expect(ring.active.id).toBe(second);
      expect(ring.all().map(k => k.id)).toEqual([second, first]);
      expect(ring.get(first)).toBeDefined();
    });
  });

  describe('#removeKey()', () => {
    it('should remove an older key', () => {
      const first = addKey(file);
      const second = addKey(file);
      removeKey(file, first);
      expect(listKeys(file)).toEqual({ active: second, ids: [second] });
      expect(loadKeyRing(file).get(first)).toBeUndefined();
    });

    it('should refuse to remove the active key or an unknown one', () => {
      const id = addKey(file);
      expect(() => removeKey(file, id)).toThrow(/active key/);
      expect(() => removeKey(file, 'nope')).toThrow(/no key nope/);
    });
  });

  describe('#loadKeyRing()', () => {
    it('should say how to create a missing key file', () => {
      expect(() => loadKeyRing(join(folder, 'missing.json'))).toThrow(
        /share-link-keygen --file/
      );
    });

    it.each([
      ['not JSON', 'nope'],
      ['a wrong version', '{"version": 2, "active": "a", "keys": []}'],
      ['keys that are not a list', '{"version": 1, "active": "a", "keys": {}}'],
      [
        'a bad key id',
        '{"version": 1, "active": "a b", "keys": [{"id": "a b", "secret": "x"}]}'
      ],
      [
        'an active key that is not in the file',
        `{"version": 1, "active": "b", "keys": [{"id": "a", "secret": "${'A'.repeat(43)}"}]}`
      ],
      [
        'a short secret',
        '{"version": 1, "active": "a", "keys": [{"id": "a", "secret": "c2hvcnQ"}]}'
      ]
    ])('should refuse a key file with %s', (_what, content) => {
      writeFileSync(file, content);
      expect(() => loadKeyRing(file)).toThrow();
    });

    it('should never put a secret in its messages', () => {
      addKey(file);
      const secret = (
        JSON.parse(readFileSync(file, 'utf8')) as {
          keys: Array<{ secret: string }>;
        }
      ).keys[0].secret;
      const broken = readFileSync(file, 'utf8').replace('"active"', '"activ"');
      writeFileSync(file, broken);
      expect(() => loadKeyRing(file)).toThrow();
      try {
        loadKeyRing(file);
      } catch (err) {
        expect(String(err)).not.toContain(secret);
      }
    });
  });

  describe('#deriveKey()', () => {
    it('should derive distinct keys per purpose and per key id', () => {
      const secret = Buffer.alloc(32, 7);
      const a = deriveKey('a', secret);
      const b = deriveKey('b', secret);
      const signA = a.sign.export();
      const parts = [signA, a.encrypt, a.cookie, b.sign.export()].map(k =>
        k.toString('hex')
      );
      expect(new Set(parts).size).toBe(4);
      expect(signA.length).toBe(32);
      expect(deriveKey('a', secret).sign.equals(a.sign)).toBe(true);
    });
  });
});
