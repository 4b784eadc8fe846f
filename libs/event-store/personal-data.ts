import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from 'node:crypto';

/**
 * Crypto-shredding: the right to erasure in an immutable log.
 *
 * Events are never rewritten, so personal values are never stored in clear: each declared
 * field is encrypted (AES-256-GCM) with a key of its data subject, and the stored payload holds
 * a marker in its place:
 *
 *     { "$pii": 1, "s": "<subject id>", "c": "<base64url(iv | tag | ciphertext)>" }
 *
 * Reading reveals markers with the subject's key. Erasing a subject destroys that key: from
 * then on every copy of the value (the log, backups of it, archived partitions) is noise, and
 * readers get ERASED in its place. The subject id itself stays in clear: it is a pseudonymous
 * id (a user id, a contact id), and it is what finds the key.
 */

/** What an erased personal value reads as. */
export const ERASED = '[erased]';

/** The reserved key of a marker; a payload may not contain it otherwise (see assertNoMarkerKey). */
export const PII_MARKER_KEY = '$pii';

/** The event that records an erasure (stream `data-subject-<id>`, stream type `data-subject`). */
export const SUBJECT_ERASED_EVENT = 'privacy.subject-erased';
export const DATA_SUBJECT_STREAM_TYPE = 'data-subject';
export interface SubjectErasedData {
  subjectId: string;
}
export function dataSubjectStreamId(subjectId: string): string {
  return `data-subject-${subjectId}`;
}

/**
 * Which values of an event type are personal. `subject` is the path (dots for nesting) of the
 * data subject's id in the event data; `fields` are paths of personal values. A path that meets
 * an array applies to each element (`participants.email`). Missing or null fields are skipped;
 * a present field of any JSON type is encrypted whole. Paths are those of the shape appended
 * (the type's current schema version); upcasters see revealed payloads.
 */
export interface PersonalDataDeclaration {
  subject: string;
  fields: string[];
}

export interface PiiMarker {
  [PII_MARKER_KEY]: 1;
  s: string;
  c: string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
export const SUBJECT_KEY_BYTES = 32;

export function isMarker(value: unknown): value is PiiMarker {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as any)[PII_MARKER_KEY] === 1 &&
    typeof (value as any).s === 'string' &&
    typeof (value as any).c === 'string'
  );
}

/** The AAD binds a ciphertext to its subject: pasted under another subject it does not open. */
function aadFor(subjectId: string): Buffer {
  return Buffer.from(`pii.v1:${subjectId}`, 'utf8');
}

/**
 * IVs drawn from a pool of random bytes refilled 4 KB at a time: one call into the system's
 * random source per ~340 values instead of one per value (bulk imports seal tens of thousands).
 * Still 96 random bits per IV, as AES-GCM with random IVs needs.
 */
const ivPool = Buffer.alloc(IV_BYTES * 341);
let ivAt = ivPool.length;
function nextIv(): Buffer {
  if (ivAt + IV_BYTES > ivPool.length) {
    randomFillSync(ivPool);
    ivAt = 0;
  }
  // A view, used at once (the cipher and the token copy it) before the pool is refilled.
  const iv = ivPool.subarray(ivAt, ivAt + IV_BYTES);
  ivAt += IV_BYTES;
  return iv;
}

export function encryptValue(subjectId: string, key: Buffer, value: unknown, aad: Buffer = aadFor(subjectId)): PiiMarker {
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ct = cipher.update(JSON.stringify(value), 'utf8');
  const rest = cipher.final(); // empty for GCM; kept so the token is right whatever it holds
  return { [PII_MARKER_KEY]: 1, s: subjectId, c: Buffer.concat([iv, cipher.getAuthTag(), ct, rest]).toString('base64url') };
}

export class PersonalDataUnreadableError extends Error {
  constructor(readonly subjectId: string) {
    super(`A personal value of data subject ${subjectId} does not decrypt with its key: the stored event was altered`);
    this.name = 'PersonalDataUnreadableError';
  }
}

export function decryptValue(marker: PiiMarker, key: Buffer): unknown {
  try {
    const raw = Buffer.from(marker.c, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aadFor(marker.s));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    return JSON.parse(plain.toString('utf8'));
  } catch {
    throw new PersonalDataUnreadableError(marker.s);
  }
}

export function getPath(data: unknown, path: string): unknown {
  let cur: any = data;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[part];
  }
  return cur;
}

/** The subject id of an event of a declared type, or a clear error (a bug in the caller). */
export function subjectOf(type: string, data: unknown, decl: PersonalDataDeclaration): string {
  const id = getPath(data, decl.subject);
  if ((typeof id === 'string' && id.length > 0) || (typeof id === 'number' && Number.isFinite(id))) return String(id);
  throw new RangeError(`Event ${type} declares personal data but has no data subject at "${decl.subject}"`);
}

/** Replaces each present declared field of `data` (a JSON copy, mutated in place) by its marker. */
export function sealFields(data: unknown, subjectId: string, key: Buffer, fields: string[]): void {
  const aad = aadFor(subjectId); // once for all the fields of the event
  for (const field of fields) sealPath(data, field.split('.'), subjectId, key, aad);
}

function sealPath(node: unknown, parts: string[], subjectId: string, key: Buffer, aad: Buffer): void {
  if (Array.isArray(node)) {
    for (const item of node) sealPath(item, parts, subjectId, key, aad);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  const [head, ...rest] = parts;
  if (!(head in obj)) return;
  if (rest.length > 0) return sealPath(obj[head], rest, subjectId, key, aad);
  const value = obj[head];
  if (value === null || value === undefined || isMarker(value)) return;
  obj[head] = encryptValue(subjectId, key, value, aad);
}

/** Every subject id named by a marker of a stored payload. Cheap for payloads without any. */
export function collectSubjects(payload: unknown, into: Set<string>): void {
  if (payload === null || typeof payload !== 'object') return;
  if (Array.isArray(payload)) {
    for (const item of payload) collectSubjects(item, into);
    return;
  }
  if (isMarker(payload)) {
    into.add(payload.s);
    return;
  }
  for (const v of Object.values(payload)) collectSubjects(v, into);
}

/**
 * The payload with every marker replaced by its value (key present) or ERASED (key destroyed,
 * null in `keys`), plus the paths of erased fields (dots, array indexes left out). A subject
 * with no key row at all reads as erased too: without a key there is no value to show.
 */
export function revealPayload(payload: unknown, keys: ReadonlyMap<string, Buffer | null>): { data: unknown; erasedFields: string[] } {
  const erased = new Set<string>();
  const data = revealNode(payload, keys, [], erased);
  return { data, erasedFields: [...erased] };
}

function revealNode(node: unknown, keys: ReadonlyMap<string, Buffer | null>, path: string[], erased: Set<string>): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((item) => revealNode(item, keys, path, erased));
  if (isMarker(node)) {
    const key = keys.get(node.s);
    if (key) return decryptValue(node, key);
    erased.add(path.join('.'));
    return ERASED;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = revealNode(v, keys, [...path, k], erased);
  return out;
}

/**
 * Markers are made by the store only. A caller's payload that already has a `$pii` key would
 * read back as somebody's personal data (or fail to), so it is refused. `json` is the
 * payload's JSON.stringify form, where a key is always followed by a colon.
 */
const markerKeyTaken = (type: string) => new RangeError(`Event ${type}: "${PII_MARKER_KEY}" is a reserved key in event payloads`);

/** assertNoMarkerKey over a payload object, by its keys (no serialising of its strings). */
export function assertNoMarkerKeyIn(type: string, data: unknown, depth = 0): void {
  if (data === null || typeof data !== 'object' || depth > 200) return;
  if (Array.isArray(data)) {
    for (const item of data) assertNoMarkerKeyIn(type, item, depth + 1);
    return;
  }
  for (const [k, v] of Object.entries(data)) {
    if (k === PII_MARKER_KEY) throw markerKeyTaken(type);
    assertNoMarkerKeyIn(type, v, depth + 1);
  }
}

/**
 * A copy of `data` in which only the objects and arrays on the declared paths are new: sealing
 * replaces values on those paths, everything else (the long texts) is shared, not copied.
 */
export function copyAlongPaths(data: unknown, fields: string[]): unknown {
  const copyOf = (node: unknown, parts: string[]): unknown => {
    if (Array.isArray(node)) return node.map((item) => copyOf(item, parts));
    if (node === null || typeof node !== 'object' || node instanceof Date) return node;
    const obj = { ...(node as Record<string, unknown>) };
    const [head, ...rest] = parts;
    if (rest.length > 0 && head in obj) obj[head] = copyOf(obj[head], rest);
    return obj;
  };
  let out = data;
  for (const field of fields) out = copyOf(out, field.split('.'));
  return out;
}

/** The JSON payload of an event without personal data, the reserved marker key refused. */
export function plainPayload(e: { type: string; data?: unknown }): string {
  const json = JSON.stringify(e.data ?? null);
  assertNoMarkerKey(e.type, json);
  return json;
}

export function assertNoMarkerKey(type: string, json: string): void {
  if (json.includes(`"${PII_MARKER_KEY}":`)) {
    throw markerKeyTaken(type);
  }
}

export function newSubjectKey(): Buffer {
  return randomBytes(SUBJECT_KEY_BYTES);
}
