import { Pool, PoolClient } from 'pg';
import { NotFoundError } from '@libs/common/errors/application-error';
import { ANY, RecordedEvent } from './event-store.types';
import { DATA_SUBJECT_STREAM_TYPE, dataSubjectStreamId, SUBJECT_ERASED_EVENT, SubjectErasedData } from './personal-data';
import { PostgresEventStore } from './postgres-event-store';

/** Runs in the erasure's transaction; `also` erases another subject in it (no error when unknown). */
export type ErasureHook = (tx: PoolClient, events: RecordedEvent[], also: (subjectId: string) => Promise<void>) => Promise<void>;

/** Who erases, recorded on the erasure event (and as erased_by). */
export interface ErasureActor {
  actorId: string;
  correlationId?: string | null;
  causationId?: string | null;
}

export interface SubjectErasure {
  subjectId: string;
  erasedAt: Date;
  erasedBy: string | null;
  /** True when the subject had already been erased: nothing changed, and erasedAt is the first erasure's. */
  alreadyErased: boolean;
}

export interface DataSubjectInfo {
  subjectId: string;
  createdAt: Date;
  erasedAt: Date | null;
  erasedBy: string | null;
  /** Streams with events naming the subject. */
  streams: string[];
}

/**
 * The right to erasure (GDPR art. 17) by crypto-shredding: destroying a subject's key makes
 * every personal value of theirs in the immutable log unreadable for good, in every process at
 * once (keys are never cached), without rewriting one event.
 *
 * `erase` is ONE transaction that:
 * - destroys the key (key_ciphertext NULL, erased_at, erased_by);
 * - deletes the snapshots of every stream that named the subject (a snapshot is a cache of
 *   revealed state; SnapshotStore.save also refuses such streams from then on, see there);
 * - appends `privacy.subject-erased` { subjectId } on stream `data-subject-<id>` with the actor:
 *   the erasure is itself in the log, and projections holding personal data handle that event
 *   (a rebuild reads '[erased]' from the log anyway).
 *
 * Erasing again is idempotent: the first erasure's time comes back with `alreadyErased`, and
 * nothing is appended twice (DELETE is idempotent in HTTP, and a retried request must not fail).
 * An unknown subject (no personal data was ever recorded for it) is a NotFoundError.
 *
 * Events appended concurrently with an erasure (their key was read just before it) are sealed
 * under the destroyed key, so they read as erased too: there is no window in which they leak.
 */
export class DataSubjects {
  private readonly erasureHooks: { hook: ErasureHook; first: boolean }[] = [];

  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
  ) {}

  /**
   * Runs inside the erasure's transaction with the recorded `privacy.subject-erased` event: how
   * inline read models (libs/eventsourcing) forget the person in the same commit, and how a
   * module erases subjects tied to this one (`also`), e.g. invitations sent to a user's email.
   * `first` hooks run before the others (they still see read models as they were).
   */
  onErasure(hook: ErasureHook, options: { first?: boolean } = {}): void {
    this.erasureHooks.push({ hook, first: options.first ?? false });
  }

  async erase(subjectId: string, actor: ErasureActor): Promise<SubjectErasure> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    let erased: { erased_at: Date; erased_by: string | null } | null = null;
    try {
      await client.query('BEGIN');
      try {
        erased = await this.eraseWithin(client, subjectId, actor);
        await client.query(erased ? 'COMMIT' : 'ROLLBACK');
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      }
      if (erased) {
        this.store.notifyAppended();
        return { subjectId, erasedAt: erased.erased_at, erasedBy: erased.erased_by, alreadyErased: false };
      }
      // Unknown, or erased before (possibly by a concurrent call that this UPDATE waited for).
      const prior = await client.query<{ erased_at: Date | null; erased_by: string | null }>(
        'SELECT erased_at, erased_by FROM data_subject_keys WHERE subject_id = $1',
        [subjectId],
      );
      const row = prior.rows[0];
      if (!row?.erased_at) throw new NotFoundError(`No data subject ${subjectId}`, { subjectId });
      return { subjectId, erasedAt: row.erased_at, erasedBy: row.erased_by, alreadyErased: true };
    } finally {
      client.release(broken);
    }
  }

  /** Destroys the key, purges snapshots, records the erasure and runs the hooks, all inside `client`'s transaction. */
  private async eraseWithin(client: PoolClient, subjectId: string, actor: ErasureActor): Promise<{ erased_at: Date; erased_by: string | null } | null> {
    const res = await client.query<{ erased_at: Date; erased_by: string | null }>(
      `UPDATE data_subject_keys SET key_ciphertext = NULL, erased_at = now(), erased_by = $2
        WHERE subject_id = $1 AND erased_at IS NULL
        RETURNING erased_at, erased_by`,
      [subjectId, actor.actorId],
    );
    const erased = res.rows[0];
    if (!erased) return null;
    await client.query(
      `DELETE FROM stream_snapshots
        WHERE stream_id IN (SELECT stream_id FROM data_subject_streams WHERE subject_id = $1)`,
      [subjectId],
    );
    const data: SubjectErasedData = { subjectId };
    const appended = await this.store.append(dataSubjectStreamId(subjectId), [{ type: SUBJECT_ERASED_EVENT, data }], {
      streamType: DATA_SUBJECT_STREAM_TYPE,
      expectedVersion: ANY,
      actorId: actor.actorId,
      correlationId: actor.correlationId ?? null,
      causationId: actor.causationId ?? null,
      client,
    });
    if (this.erasureHooks.length && !appended.duplicate) {
      const recorded = await this.store.readStream(dataSubjectStreamId(subjectId), { fromVersion: appended.nextExpectedVersion }, client);
      const also = async (other: string) => {
        await this.eraseWithin(client, other, { ...actor, causationId: recorded.events[0]?.eventId ?? null });
      };
      const ordered = [...this.erasureHooks.filter((h) => h.first), ...this.erasureHooks.filter((h) => !h.first)];
      for (const { hook } of ordered) await hook(client, recorded.events, also);
    }
    return erased;
  }

  async find(subjectId: string): Promise<DataSubjectInfo | null> {
    const res = await this.pool.query<{ created_at: Date; erased_at: Date | null; erased_by: string | null; streams: string[] }>(
      `SELECT k.created_at, k.erased_at, k.erased_by,
              coalesce(array_agg(s.stream_id ORDER BY s.stream_id) FILTER (WHERE s.stream_id IS NOT NULL), '{}') AS streams
         FROM data_subject_keys k
         LEFT JOIN data_subject_streams s ON s.subject_id = k.subject_id
        WHERE k.subject_id = $1
        GROUP BY k.subject_id, k.created_at, k.erased_at, k.erased_by`,
      [subjectId],
    );
    const r = res.rows[0];
    return r ? { subjectId, createdAt: r.created_at, erasedAt: r.erased_at, erasedBy: r.erased_by, streams: r.streams } : null;
  }
}
