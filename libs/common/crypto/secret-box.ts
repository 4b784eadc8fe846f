import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Envelope encryption of secrets at rest (connector credentials, OAuth tokens, LLM API keys,
 * the data-subject keys of crypto-shredding): AES-256-GCM under a keyring with ONE active key.
 *
 * A token names the key that sealed it, so keys rotate without a flag day:
 *
 *     v1.<keyId>.<iv>.<tag>.<ciphertext>        (iv, tag, ciphertext: base64url)
 *
 * - encrypt always uses the active key; decrypt accepts any key of the ring, so tokens written
 *   before a rotation keep working until `npm run cli -- secrets rotate` re-encrypts them
 *   (`needsReencrypt` tells which), after which the old key can leave the ring.
 * - The header (`v1.<keyId>`) and the caller's optional AAD are authenticated with the data:
 *   a token moved to another row (when the AAD names the row), or edited in any way, fails to
 *   decrypt with a SecretBoxError instead of yielding garbage.
 * - A fresh random 96-bit IV per encryption (NIST SP 800-38D); one key can seal 2^32 values
 *   before the IV-collision bound matters, far beyond what a keyring sees between rotations.
 */

export const SECRET_KEY_BYTES = 32;
const TOKEN_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export interface SecretKey {
  id: string;
  key: Buffer;
}

export type SecretBoxErrorReason = 'malformed' | 'unknown-key' | 'authentication-failed';

/** A token that cannot be opened: not a token, sealed under a key the ring lacks, or tampered with / wrong AAD. */
export class SecretBoxError extends Error {
  constructor(
    readonly reason: SecretBoxErrorReason,
    message: string,
    readonly keyId?: string,
  ) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/** A keyring that cannot be used (bad SECRETS_KEYS value, bad key file). The message never contains key material. */
export class InvalidSecretKeysError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSecretKeysError';
  }
}

interface ParsedToken {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
  header: string;
}

export class SecretBox {
  private readonly keys: ReadonlyMap<string, Buffer>;
  /** The key every new token is sealed with (the first of the ring). */
  readonly activeKeyId: string;

  /** `keys[0]` is the active key; the others only decrypt. */
  constructor(keys: readonly SecretKey[]) {
    if (keys.length === 0) throw new InvalidSecretKeysError('the keyring needs at least one key');
    const map = new Map<string, Buffer>();
    for (const { id, key } of keys) {
      if (!KEY_ID_PATTERN.test(id)) throw new InvalidSecretKeysError(`key id "${id}" must match ${KEY_ID_PATTERN}`);
      if (key.length !== SECRET_KEY_BYTES) {
        throw new InvalidSecretKeysError(`key "${id}" must be ${SECRET_KEY_BYTES} bytes, got ${key.length}`);
      }
      if (map.has(id)) throw new InvalidSecretKeysError(`key id "${id}" appears twice`);
      // A private copy: the caller's buffer may be reused or zeroed.
      map.set(id, Buffer.from(key));
    }
    this.keys = map;
    this.activeKeyId = keys[0].id;
  }

  /** A random keyring of one key (embedded data directory, ephemeral dev keys, tests). */
  static generateKey(id: string): SecretKey {
    return { id, key: randomBytes(SECRET_KEY_BYTES) };
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  encrypt(plain: string, aad?: string): string {
    return this.encryptBytes(Buffer.from(plain, 'utf8'), aad);
  }

  decrypt(token: string, aad?: string): string {
    return this.decryptBytes(token, aad).toString('utf8');
  }

  encryptBytes(plain: Buffer, aad?: string): string {
    const keyId = this.activeKeyId;
    const header = `${TOKEN_VERSION}.${keyId}`;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(keyId)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(header, aad));
    const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [header, b64url(iv), b64url(tag), b64url(ciphertext)].join('.');
  }

  decryptBytes(token: string, aad?: string): Buffer {
    const t = parseToken(token);
    const key = this.keys.get(t.keyId);
    if (!key) {
      throw new SecretBoxError(
        'unknown-key',
        `sealed under key "${t.keyId}", which is not in the keyring (${this.keyIds.join(', ')}): was it removed from SECRETS_KEYS too early?`,
        t.keyId,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, t.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(t.header, aad));
      decipher.setAuthTag(t.tag);
      return Buffer.concat([decipher.update(t.ciphertext), decipher.final()]);
    } catch {
      throw new SecretBoxError('authentication-failed', 'the token was tampered with, or is opened with another AAD', t.keyId);
    }
  }

  /** True when the token is not sealed under the active key (rotation re-encrypts it). Throws on a malformed token. */
  needsReencrypt(token: string): boolean {
    return parseToken(token).keyId !== this.activeKeyId;
  }

  /** The key id a token names, without opening it. */
  keyIdOf(token: string): string {
    return parseToken(token).keyId;
  }

  /** The same secret sealed under the active key (the token itself when it already is). */
  reencrypt(token: string, aad?: string): string {
    if (!this.needsReencrypt(token)) return token;
    return this.encryptBytes(this.decryptBytes(token, aad), aad);
  }
}

function additionalData(header: string, aad: string | undefined): Buffer {
  // Length-prefixed so that ("a", "b.c") and ("a.b", "c") can never authenticate the same bytes.
  const user = Buffer.from(aad ?? '', 'utf8');
  const head = Buffer.from(header, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(head.length);
  return Buffer.concat([len, head, user]);
}

function parseToken(token: string): ParsedToken {
  if (typeof token !== 'string') throw new SecretBoxError('malformed', 'a secret token must be a string');
  const parts = token.split('.');
  if (parts.length !== 5 || parts[0] !== TOKEN_VERSION || !KEY_ID_PATTERN.test(parts[1])) {
    throw new SecretBoxError('malformed', `not a ${TOKEN_VERSION} secret token`);
  }
  if (!parts.slice(2).every((p) => BASE64URL.test(p))) throw new SecretBoxError('malformed', 'a secret token part is not base64url');
  const iv = Buffer.from(parts[2], 'base64url');
  const tag = Buffer.from(parts[3], 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('malformed', 'bad iv or tag length', parts[1]);
  return { keyId: parts[1], iv, tag, ciphertext: Buffer.from(parts[4], 'base64url'), header: `${parts[0]}.${parts[1]}` };
}

function b64url(b: Buffer): string {
  return b.toString('base64url');
}
