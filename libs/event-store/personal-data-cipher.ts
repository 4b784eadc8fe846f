import { SecretBox } from '@libs/common/crypto/secret-box';
import { EventTypeRegistry } from './event-type-registry';
import { NewEvent, Queryable } from './event-store.types';
import { SubjectErasedError } from './personal-data.errors';
import { assertNoMarkerKeyIn, collectSubjects, copyAlongPaths, newSubjectKey, PersonalDataDeclaration, plainPayload, revealPayload, sealFields, subjectOf } from './personal-data';

/** The SecretBox AAD of a subject's wrapped key: a key row copied to another subject does not open. */
export function subjectKeyAad(subjectId: string): string {
  return `data-subject:${subjectId}`;
}

/**
 * Gets (or creates) the keys of the subjects named by an append, and records which stream names
 * them (so an erasure can purge the streams' snapshots), in ONE statement. A concurrent first
 * append for the same subject makes ON CONFLICT skip a row this statement's snapshot cannot see;
 * those few are read again by a second statement.
 */
const KEYS_FOR_APPEND_SQL = `WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[]) AS i(subject_id, key_ciphertext)
  ), inserted AS (
    INSERT INTO data_subject_keys (subject_id, key_ciphertext)
    SELECT subject_id, key_ciphertext FROM input
    ON CONFLICT (subject_id) DO NOTHING
    RETURNING subject_id, key_ciphertext, erased_at
  ), linked AS (
    INSERT INTO data_subject_streams (subject_id, stream_id)
    SELECT subject_id, $3 FROM input
    ON CONFLICT DO NOTHING
  )
  SELECT subject_id, key_ciphertext, erased_at IS NOT NULL AS erased FROM inserted
  UNION ALL
  SELECT k.subject_id, k.key_ciphertext, k.erased_at IS NOT NULL
    FROM data_subject_keys k
   WHERE k.subject_id = ANY($1::text[])
     AND NOT EXISTS (SELECT 1 FROM inserted i WHERE i.subject_id = k.subject_id)`;

const KEYS_FOR_BULK_SQL = `WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[]) AS i(subject_id, key_ciphertext)
  ), inserted AS (
    INSERT INTO data_subject_keys (subject_id, key_ciphertext)
    SELECT subject_id, key_ciphertext FROM input
    ON CONFLICT (subject_id) DO NOTHING
    RETURNING subject_id, key_ciphertext, erased_at
  )
  SELECT subject_id, key_ciphertext, erased_at IS NOT NULL AS erased FROM inserted
  UNION ALL
  SELECT k.subject_id, k.key_ciphertext, k.erased_at IS NOT NULL
    FROM data_subject_keys k
   WHERE k.subject_id = ANY($1::text[])
     AND NOT EXISTS (SELECT 1 FROM inserted i WHERE i.subject_id = k.subject_id)`;

const KEYS_SQL = `SELECT subject_id, key_ciphertext, erased_at IS NOT NULL AS erased FROM data_subject_keys WHERE subject_id = ANY($1::text[])`;

/** Subject keys kept unwrapped: an import's recurring authors, ~100 bytes each. */
const UNWRAPPED_KEYS = 10_000;

interface KeyRow {
  subject_id: string;
  key_ciphertext: string | null;
  erased: boolean;
}

export interface RevealedPayload {
  data: unknown;
  /** Paths of the personal fields whose subject was erased (empty when none). */
  erasedFields: string[];
}

/**
 * Seals declared personal fields on append and reveals them on read (personal-data.ts has the
 * format). Subject keys live in `data_subject_keys`, wrapped by the SecretBox, and are looked
 * up afresh for every page read and every append: an erasure is effective at once in every
 * process (only the unwrapping of a row already seen is saved). Without a SecretBox only events
 * without personal data can be written or read.
 */
export class PersonalDataCipher {
  /** Unwrapped subject keys by subject, with the token each came from (see unwrap). */
  private readonly unwrapped = new Map<string, { token: string; key: Buffer }>();

  constructor(private readonly box?: SecretBox) {}

  /**
   * The JSON payloads of one stream's new events, declared fields replaced by markers; the keys
   * are looked up (or created, linked to the stream) on `db`: the caller's transaction when there
   * is one (the embedded pool has a single connection, and a key created for an append that
   * rolls back goes with it).
   */
  async seal(streamId: string, events: NewEvent[], registry: EventTypeRegistry, db: Queryable): Promise<string[]> {
    const plans = planSealing(events, registry);
    const subjects = subjectsOf(plans);
    return serialise(plans, subjects.length ? await this.keysForAppend(streamId, subjects, db) : new Map());
  }

  /**
   * `seal` for many streams at once (bulk ingestion): one key statement for every subject of the
   * batch. Streams written this way never snapshot, so no subject-to-stream links are kept.
   */
  async sealMany(events: NewEvent[], registry: EventTypeRegistry, db: Queryable): Promise<string[]> {
    const plans = planSealing(events, registry);
    const subjects = subjectsOf(plans);
    const keys = new Map<string, Buffer>();
    if (subjects.length) {
      // The keys are read first: an import's authors recur, and only a subject without a key
      // row pays for wrapping a new one (it was one wrap and one unwrap per subject per batch).
      const rows = (await db.query<KeyRow>(KEYS_SQL, [subjects])).rows;
      let found = new Set(rows.map((r) => r.subject_id));
      const fresh = subjects.filter((s) => !found.has(s));
      if (fresh.length) {
        const box = this.requireBox();
        const wrapped = fresh.map((s) => box.encryptBytes(newSubjectKey(), subjectKeyAad(s)));
        rows.push(...(await db.query<KeyRow>(KEYS_FOR_BULK_SQL, [fresh, wrapped])).rows);
        found = new Set(rows.map((r) => r.subject_id));
        const missing = fresh.filter((s) => !found.has(s));
        if (missing.length) rows.push(...(await db.query<KeyRow>(KEYS_SQL, [missing])).rows);
      }
      for (const r of rows) {
        if (r.erased || r.key_ciphertext === null) {
          this.forget(r.subject_id);
          throw new SubjectErasedError(r.subject_id);
        }
        keys.set(r.subject_id, this.unwrap(r));
      }
    }
    return serialise(plans, keys);
  }

  /**
   * Creates the keys of these subjects that do not exist yet, on its own (committed at once when
   * `db` is the pool): a bulk writer calls it before its transaction, so two batches in flight
   * that share authors do not wait on each other's uncommitted key rows. Known subjects are
   * looked up first: most authors of an import recur, and wrapping a key costs. A subject whose
   * key this process unwrapped lately has a key row (or an erased one, which the append refuses
   * as it would have anyway): it is not looked up again.
   */
  async ensureKeys(subjects: string[], db: Queryable): Promise<void> {
    const unknown = subjects.filter((s) => !this.unwrapped.has(s));
    if (unknown.length === 0) return;
    const box = this.requireBox();
    const known = new Set((await db.query<{ subject_id: string }>(`SELECT subject_id FROM data_subject_keys WHERE subject_id = ANY($1::text[])`, [unknown])).rows.map((r) => r.subject_id));
    const missing = unknown.filter((s) => !known.has(s));
    if (missing.length === 0) return;
    await db.query(`INSERT INTO data_subject_keys (subject_id, key_ciphertext) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (subject_id) DO NOTHING`, [
      missing,
      missing.map((s) => box.encryptBytes(newSubjectKey(), subjectKeyAad(s))),
    ]);
  }

  /** Payloads with markers revealed (or ERASED), one key lookup for the whole page. */
  async reveal(payloads: unknown[], db: Queryable): Promise<RevealedPayload[]> {
    const perPayload = payloads.map((p) => {
      const s = new Set<string>();
      collectSubjects(p, s);
      return s;
    });
    const subjects = new Set(perPayload.flatMap((s) => [...s]));
    if (subjects.size === 0) return payloads.map((data) => ({ data, erasedFields: [] }));
    const res = await db.query<KeyRow>(KEYS_SQL, [[...subjects]]);
    const keys = new Map<string, Buffer | null>(res.rows.map((r) => [r.subject_id, r.key_ciphertext === null ? this.forget(r.subject_id) : this.unwrap(r)]));
    return payloads.map((data, i) => (perPayload[i].size === 0 ? { data, erasedFields: [] } : revealPayload(data, keys)));
  }

  private async keysForAppend(streamId: string, subjects: string[], db: Queryable): Promise<Map<string, Buffer>> {
    const box = this.requireBox();
    const wrapped = subjects.map((s) => box.encryptBytes(newSubjectKey(), subjectKeyAad(s)));
    const rows = (await db.query<KeyRow>(KEYS_FOR_APPEND_SQL, [subjects, wrapped, streamId])).rows;
    const found = new Set(rows.map((r) => r.subject_id));
    const missing = subjects.filter((s) => !found.has(s));
    if (missing.length) rows.push(...(await db.query<KeyRow>(KEYS_SQL, [missing])).rows);
    const keys = new Map<string, Buffer>();
    for (const r of rows) {
      if (r.erased || r.key_ciphertext === null) {
        this.forget(r.subject_id);
        throw new SubjectErasedError(r.subject_id);
      }
      keys.set(r.subject_id, this.unwrap(r));
    }
    for (const s of subjects) if (!keys.has(s)) throw new Error(`No key row for data subject ${s} after creating it`);
    return keys;
  }

  /** Drops an erased subject's unwrapped key; null: the key it has now. */
  private forget(subjectId: string): null {
    this.unwrapped.delete(subjectId);
    return null;
  }

  /**
   * The subject's key from its wrapped form, reused when the row holds the very token unwrapped
   * before: the row is still read every time (so an erasure, which clears it, is seen at once),
   * only the SecretBox decryption is saved. Bounded; an erased subject's entry is dropped.
   */
  private unwrap(r: KeyRow): Buffer {
    const token = r.key_ciphertext!;
    const hit = this.unwrapped.get(r.subject_id);
    if (hit && hit.token === token) {
      // Most recently used last: the first entry is the one evicted.
      this.unwrapped.delete(r.subject_id);
      this.unwrapped.set(r.subject_id, hit);
      return hit.key;
    }
    const key = this.requireBox().decryptBytes(token, subjectKeyAad(r.subject_id));
    this.unwrapped.delete(r.subject_id);
    this.unwrapped.set(r.subject_id, { token, key });
    if (this.unwrapped.size > UNWRAPPED_KEYS) this.unwrapped.delete(this.unwrapped.keys().next().value!);
    return key;
  }

  private requireBox(): SecretBox {
    if (!this.box) {
      throw new Error('Personal data needs a SecretBox: import CryptoModule (or pass personalData: new PersonalDataCipher(box) to the store)');
    }
    return this.box;
  }
}

type SealingPlan = { e: NewEvent; decl?: undefined } | { e: NewEvent; decl: PersonalDataDeclaration; subject: string };

function planSealing(events: NewEvent[], registry: EventTypeRegistry): SealingPlan[] {
  return events.map((e) => {
    const decl = registry.personalDataOf(e.type);
    return decl ? { e, decl, subject: subjectOf(e.type, e.data, decl) } : { e };
  });
}

const subjectsOf = (plans: SealingPlan[]) => [...new Set(plans.flatMap((p) => (p.decl ? [p.subject] : [])))];

/**
 * Each event's payload as JSON, the reserved marker key refused. One with personal data is
 * serialised once, from a copy that shares everything but its sealed fields' parents: its long
 * texts are neither parsed nor serialised twice.
 */
function serialise(plans: SealingPlan[], keys: Map<string, Buffer>): string[] {
  return plans.map((p) => {
    if (!p.decl) return plainPayload(p.e);
    assertNoMarkerKeyIn(p.e.type, p.e.data);
    const copy = copyAlongPaths(p.e.data ?? null, p.decl.fields);
    sealFields(copy, p.subject, keys.get(p.subject)!, p.decl.fields);
    return JSON.stringify(copy);
  });
}
