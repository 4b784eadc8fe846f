import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidSecretKeysError, KEY_ID_PATTERN, SECRET_KEY_BYTES, SecretBox, SecretKey } from './secret-box';

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** The file the embedded mode keeps its generated key in (`<DATA_DIR>/secrets.key`, mode 0600). */
export const SECRETS_KEY_FILE = 'secrets.key';

/**
 * `kid1:<base64 of 32 bytes>,kid2:<base64>`: the first key is the active one, the others only
 * decrypt (keep them until `secrets rotate` has re-encrypted everything). Messages name the
 * offending key id or position, never the key material.
 */
export function parseSecretKeys(value: string): SecretKey[] {
  const entries = value
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new InvalidSecretKeysError('expected kid:<base64 32 bytes>[,kid2:<base64>...]');
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const sep = entry.indexOf(':');
    if (sep <= 0) throw new InvalidSecretKeysError(`entry ${i + 1} is not kid:<base64 key>`);
    const id = entry.slice(0, sep).trim();
    const material = entry.slice(sep + 1).trim();
    if (!KEY_ID_PATTERN.test(id)) throw new InvalidSecretKeysError(`key id "${id}" must be 1-64 of [A-Za-z0-9_-]`);
    if (seen.has(id)) throw new InvalidSecretKeysError(`key id "${id}" appears twice`);
    seen.add(id);
    if (!BASE64.test(material)) throw new InvalidSecretKeysError(`key "${id}" is not base64`);
    const key = Buffer.from(material, material.includes('-') || material.includes('_') ? 'base64url' : 'base64');
    if (key.length !== SECRET_KEY_BYTES) {
      throw new InvalidSecretKeysError(`key "${id}" must decode to ${SECRET_KEY_BYTES} bytes, got ${key.length} (openssl rand -base64 32)`);
    }
    return { id, key };
  });
}

/** The SECRETS_KEYS form of a key (what the key file holds, so it can be pasted into SECRETS_KEYS). */
export function formatSecretKey(k: SecretKey): string {
  return `${k.id}:${k.key.toString('base64')}`;
}

export interface SecretKeysSource {
  /** Parsed SECRETS_KEYS, when set. */
  configured?: SecretKey[];
  /** DATABASE_URL: set = a PostgreSQL server (keys must come from config in production). */
  databaseUrl?: string;
  dataDir: string;
  nodeEnv: string;
}

export interface ResolvedSecretKeys {
  keys: SecretKey[];
  source: 'config' | 'data-dir' | 'ephemeral';
  /** For the start-up log: why and where. */
  note: string;
}

/**
 * Where the keyring comes from:
 * - SECRETS_KEYS when set (the only option in production on a PostgreSQL server);
 * - embedded mode with a data directory: a key generated once into `<DATA_DIR>/secrets.key`
 *   (mode 0600), beside the database it protects, and reused on every start;
 * - a PostgreSQL server in production without SECRETS_KEYS: refused (the key must outlive the
 *   process, and must not sit on the app's disk next to nothing it protects);
 * - otherwise (dev/test on a server, or the in-memory embedded database): an ephemeral key.
 *   Secrets and personal data written with it cannot be read after a restart, hence the warning.
 */
export function resolveSecretKeys(source: SecretKeysSource): ResolvedSecretKeys {
  if (source.configured?.length) {
    return { keys: source.configured, source: 'config', note: `SECRETS_KEYS (active key "${source.configured[0].id}")` };
  }
  if (source.databaseUrl && source.nodeEnv === 'production') {
    throw new InvalidSecretKeysError(
      'SECRETS_KEYS is required in production with DATABASE_URL: set SECRETS_KEYS=<kid>:<base64 of 32 random bytes> (e.g. k1:$(openssl rand -base64 32))',
    );
  }
  if (source.dataDir !== 'memory://') {
    // Also on DATABASE_URL outside production: a restart must still read what it wrote. Several
    // processes on one server need the same key: set SECRETS_KEYS (production requires it).
    const note = join(source.dataDir, SECRETS_KEY_FILE) + (source.databaseUrl ? ' (SECRETS_KEYS unset: every process of this database needs this same key)' : '');
    return { keys: loadOrCreateKeyFile(source.dataDir), source: 'data-dir', note };
  }
  const ephemeral = SecretBox.generateKey(`ephemeral-${randomBytes(4).toString('hex')}`);
  return {
    keys: [ephemeral],
    source: 'ephemeral',
    note: source.databaseUrl
      ? 'SECRETS_KEYS is unset and DATA_DIR is memory://: using an ephemeral key; secrets and personal data written now cannot be read after a restart'
      : 'in-memory database: ephemeral key',
  };
}

/** One key per line in SECRETS_KEYS form; the first is active (add a new first line to rotate, then `secrets rotate`). */
function loadOrCreateKeyFile(dataDir: string): SecretKey[] {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, SECRETS_KEY_FILE);
  try {
    // O_EXCL: two starts racing on a fresh directory cannot both write a key.
    const fd = openSync(file, 'wx', 0o600);
    const key = SecretBox.generateKey(`local-${randomBytes(4).toString('hex')}`);
    try {
      writeSync(fd, formatSecretKey(key) + '\n');
    } finally {
      closeSync(fd);
    }
    return [key];
  } catch (err: any) {
    if (err?.code !== 'EEXIST') throw err;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  try {
    return parseSecretKeys(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InvalidSecretKeysError(`${file}: ${(err as Error).message}`);
  }
}
