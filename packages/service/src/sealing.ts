/**
 * Authenticated encryption of small JSON objects (AES-256-GCM), for the
 * claims inside links and for cookies. The associated data binds a sealed
 * value to its use, so one kind of value cannot stand in for another.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Encrypt and authenticate `value` as JSON: base64url of iv, body, tag. */
export function sealJson(
  key: Buffer,
  associated: string,
  value: Record<string, unknown>
): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associated));
  const body = Buffer.concat([
    cipher.update(JSON.stringify(value), 'utf8'),
    cipher.final()
  ]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/**
 * Open a value made by {@link sealJson}: the JSON object, or undefined when
 * it was altered, sealed with another key or for another use, or is not an
 * object.
 */
export function openJson(
  key: Buffer,
  associated: string,
  sealed: string
): Record<string, unknown> | undefined {
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES + 2) {
    return undefined;
  }
  let value: unknown;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      key,
      raw.subarray(0, IV_BYTES)
    );
    decipher.setAAD(Buffer.from(associated));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
      decipher.final()
    ]);
    value = JSON.parse(plain.toString('utf8'));
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
