import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidSecretKeysError, SecretBox, SecretBoxError } from './secret-box';
import { formatSecretKey, parseSecretKeys, resolveSecretKeys, SECRETS_KEY_FILE } from './secret-keys';

const key = (id: string) => ({ id, key: randomBytes(32) });

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof SecretBoxError) return err.reason;
    throw err;
  }
  return undefined;
}

/** Flips one bit of the base64url part `index` of a token. */
function flip(token: string, index: number): string {
  const parts = token.split('.');
  const bytes = Buffer.from(parts[index], 'base64url');
  bytes[0] ^= 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('SecretBox', () => {
  const k1 = key('k1');
  const box = new SecretBox([k1]);

  it('round-trips text and bytes, with and without AAD, in a self-describing token', () => {
    const plain = 'xoxb-slack-token-é-🔑';
    const token = box.encrypt(plain);
    expect(token).toMatch(/^v1\.k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(token).not.toContain(plain);
    expect(box.decrypt(token)).toBe(plain);
    expect(box.decrypt(box.encrypt(plain, 'connector:42'), 'connector:42')).toBe(plain);
    expect(box.decrypt(box.encrypt(''))).toBe('');

    const bytes = randomBytes(32);
    expect(box.decryptBytes(box.encryptBytes(bytes, 'data-subject:u1'), 'data-subject:u1').equals(bytes)).toBe(true);
    // A fresh IV every time: the same secret never gives the same token.
    expect(box.encrypt(plain)).not.toBe(box.encrypt(plain));
  });

  it('refuses another AAD than the one sealed with (a token moved to another row)', () => {
    const token = box.encrypt('secret', 'connector:1');
    expect(reasonOf(() => box.decrypt(token, 'connector:2'))).toBe('authentication-failed');
    expect(reasonOf(() => box.decrypt(token))).toBe('authentication-failed');
    expect(reasonOf(() => box.decrypt(box.encrypt('secret'), 'connector:1'))).toBe('authentication-failed');
  });

  it('detects tampering with the iv, the tag, the ciphertext or the key id', () => {
    const token = box.encrypt('a fairly long secret value', 'row-1');
    for (const part of [2, 3, 4]) expect(reasonOf(() => box.decrypt(flip(token, part), 'row-1'))).toBe('authentication-failed');
    // Same key material under another id: the header is authenticated too.
    const alias = new SecretBox([k1, { id: 'k1alias', key: k1.key }]);
    expect(reasonOf(() => alias.decrypt(token.replace('v1.k1.', 'v1.k1alias.'), 'row-1'))).toBe('authentication-failed');
    expect(reasonOf(() => box.decrypt('not a token'))).toBe('malformed');
    expect(reasonOf(() => box.decrypt(token.replace(/^v1/, 'v2')))).toBe('malformed');
    expect(reasonOf(() => box.decrypt(token + '.x'))).toBe('malformed');
    expect(reasonOf(() => box.decrypt(token.replace(/\.[^.]+\./, '.k1.!!.')))).toBe('malformed');
  });

  it('rotates: old tokens decrypt with the new ring, needsReencrypt tells them apart, reencrypt moves them', () => {
    const old = box.encrypt('oauth-refresh-token', 'conn-7');
    const k2 = key('k2');
    const rotated = new SecretBox([k2, k1]);
    expect(rotated.activeKeyId).toBe('k2');
    expect(rotated.decrypt(old, 'conn-7')).toBe('oauth-refresh-token');
    expect(rotated.needsReencrypt(old)).toBe(true);

    const fresh = rotated.reencrypt(old, 'conn-7');
    expect(rotated.keyIdOf(fresh)).toBe('k2');
    expect(rotated.needsReencrypt(fresh)).toBe(false);
    expect(rotated.reencrypt(fresh, 'conn-7')).toBe(fresh);

    // Once the old key leaves the ring, only re-encrypted tokens open.
    const onlyNew = new SecretBox([k2]);
    expect(onlyNew.decrypt(fresh, 'conn-7')).toBe('oauth-refresh-token');
    expect(reasonOf(() => onlyNew.decrypt(old, 'conn-7'))).toBe('unknown-key');
    // Under another key with the same id: authentication fails, never garbage.
    expect(reasonOf(() => new SecretBox([key('k2')]).decrypt(fresh, 'conn-7'))).toBe('authentication-failed');
  });

  it('rejects a bad keyring', () => {
    expect(() => new SecretBox([])).toThrow(InvalidSecretKeysError);
    expect(() => new SecretBox([{ id: 'k1', key: randomBytes(16) }])).toThrow(/32 bytes/);
    expect(() => new SecretBox([{ id: 'bad.id', key: randomBytes(32) }])).toThrow(InvalidSecretKeysError);
    expect(() => new SecretBox([key('a'), key('a')])).toThrow(/twice/);
  });
});

describe('SECRETS_KEYS', () => {
  const b64 = () => randomBytes(32).toString('base64');

  it('parses kid:<base64> entries, the first one active', () => {
    const a = b64();
    const keys = parseSecretKeys(`new:${b64()}, old:${a}`);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(keys[1].key.toString('base64')).toBe(a);
    expect(parseSecretKeys(`u:${randomBytes(32).toString('base64url')}`)[0].key).toHaveLength(32);
    const k = { id: 'x1', key: randomBytes(32) };
    expect(parseSecretKeys(formatSecretKey(k))[0].key.equals(k.key)).toBe(true);
  });

  it.each([
    ['', /expected kid/],
    ['nokey', /not kid:<base64 key>/],
    [':abc', /not kid:<base64 key>/],
    [`k 1:${randomBytes(32).toString('base64')}`, /key id/],
    ['k1:short', /32 bytes/],
    [`k1:${randomBytes(31).toString('base64')}`, /got 31/],
    ['k1:not*base64!', /not base64/],
    [`k1:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}`, /twice/],
  ])('rejects %j without echoing key material', (value, message) => {
    let error: Error | undefined;
    try {
      parseSecretKeys(value);
    } catch (err) {
      error = err as Error;
    }
    expect(error).toBeInstanceOf(InvalidSecretKeysError);
    expect(error!.message).toMatch(message);
    const material = value.split(':')[1]?.split(',')[0];
    if (material && material.length > 8) expect(error!.message).not.toContain(material);
  });
});

describe('resolveSecretKeys', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'secrets-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses SECRETS_KEYS when set', () => {
    const configured = [key('cfg')];
    expect(resolveSecretKeys({ configured, dataDir: dir, nodeEnv: 'production', databaseUrl: 'postgres://x/y' })).toMatchObject({
      source: 'config',
      keys: configured,
    });
  });

  it('embedded: generates a key once into <DATA_DIR>/secrets.key (mode 0600) and reuses it', () => {
    const first = resolveSecretKeys({ dataDir: dir, nodeEnv: 'development' });
    expect(first.source).toBe('data-dir');
    const file = join(dir, SECRETS_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = resolveSecretKeys({ dataDir: dir, nodeEnv: 'production' });
    expect(second.keys[0].id).toBe(first.keys[0].id);
    expect(second.keys[0].key.equals(first.keys[0].key)).toBe(true);
    // What it wrote opens what the first keyring sealed.
    expect(new SecretBox(second.keys).decrypt(new SecretBox(first.keys).encrypt('s'))).toBe('s');
    expect(readFileSync(file, 'utf8')).toMatch(/^local-[0-9a-f]{8}:[A-Za-z0-9+/]+=*\n$/);
  });

  it('embedded: a corrupt key file stops start-up naming the file', () => {
    writeFileSync(join(dir, SECRETS_KEY_FILE), 'garbage', { mode: 0o600 });
    expect(() => resolveSecretKeys({ dataDir: dir, nodeEnv: 'development' })).toThrow(new RegExp(`${SECRETS_KEY_FILE}: entry 1`));
  });

  it('PostgreSQL in production without SECRETS_KEYS: refused, naming the variable', () => {
    expect(() => resolveSecretKeys({ databaseUrl: 'postgres://db/app', dataDir: dir, nodeEnv: 'production' })).toThrow(/SECRETS_KEYS is required/);
  });

  it('PostgreSQL in dev/test: the DATA_DIR key file, so a restart still reads what it wrote', () => {
    const dev = resolveSecretKeys({ databaseUrl: 'postgres://db/app', dataDir: dir, nodeEnv: 'development' });
    expect(dev.source).toBe('data-dir');
    expect(dev.note).toMatch(/every process of this database needs this same key/);
    expect(resolveSecretKeys({ databaseUrl: 'postgres://db/app', dataDir: dir, nodeEnv: 'development' }).keys[0].key.equals(dev.keys[0].key)).toBe(true);
  });

  it('an in-memory DATA_DIR: an ephemeral key, a new one each time', () => {
    const a = resolveSecretKeys({ databaseUrl: 'postgres://db/app', dataDir: 'memory://', nodeEnv: 'test' });
    expect(a.source).toBe('ephemeral');
    expect(a.note).toMatch(/cannot be read after a restart/);
    expect(resolveSecretKeys({ dataDir: 'memory://', nodeEnv: 'test' }).keys[0].key.equals(a.keys[0].key)).toBe(false);
  });
});
