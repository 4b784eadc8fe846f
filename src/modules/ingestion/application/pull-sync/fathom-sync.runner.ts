import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { FathomClient } from '@modules/ingestion/infrastructure/connectors/fathom.client';
import { ProviderHttpError } from '@modules/ingestion/infrastructure/connectors/provider-http';
import { mapFathom } from '@modules/ingestion/application/webhooks/fathom.mapper';
import { PullSyncError, PullSyncErrorCode } from './pull-sync.errors';
import { fromAction, Mapped, PullContext, PullSource, SyncHandle, SyncRunner, SyncRunnerDeps } from './sync-runner';

export const MEETINGS_STREAM = 'meetings';
/**
 * Fathom lists a meeting once it is recorded and processed; its transcript and summary may come
 * a little later. Each run starts this long before the newest meeting the previous one saw, so a
 * meeting listed late (or listed before its transcript was ready) is read again; what is stored
 * already is a duplicate (same ids as the webhook's).
 */
export const FATHOM_LOOKBACK_MS = 24 * 3600_000;

/** A listing in progress, kept in the watermark's meta so a killed run resumes at its page. */
interface MeetingsWalk {
  createdAfter: string | null;
  cursor: string | null;
  /** Newest created_at seen by this walk: the watermark once it ends. */
  top: string | null;
}

/**
 * Fathom pull (a `fathom` source with credentials.apiToken, the API key): GET /meetings with the
 * transcripts, created after (watermark - lookback), or `config.syncFrom` / everything on a first
 * run; cursor-paged, the walk (cursor and newest created_at seen) saved after each stored page.
 * Meetings are mapped by the webhook's own mapper (mapFathom): a meeting pulled and the same one
 * delivered by the webhook are the same messages (`<recording_id>:<segment>`, `:summary`) and stored once.
 */
export class FathomSyncRunner extends SyncRunner {
  readonly kind = 'fathom' as const;

  constructor(
    deps: SyncRunnerDeps,
    private readonly lookbackMs = FATHOM_LOOKBACK_MS,
  ) {
    super(deps);
  }

  /** A fathom source without an API key only receives webhooks: not pulled. */
  override async open(source: PullSource, opts: { meta: CommandMetadata; jobId?: string }): Promise<SyncHandle> {
    const creds = source.kind === 'fathom' ? this.deps.credentials.open(source.id, source.credentialsCiphertext) : null;
    if (source.kind === 'fathom' && !creds?.apiToken) {
      throw new PullSyncError(PullSyncErrorCode.NotSupported, 'This Fathom source has no API key (credentials.apiToken): it receives webhooks only; add an API key (Fathom settings, API Access) to pull its meetings', { kind: 'fathom' });
    }
    return super.open(source, opts);
  }

  protected async pull(ctx: PullContext): Promise<void> {
    const client = new FathomClient(ctx.credentials.apiToken, { ...ctx.http, apiBase: this.deps.fathomApiBase });
    const wm = await ctx.watermark(MEETINGS_STREAM);
    const saved = wm?.meta.walk as MeetingsWalk | undefined;
    const walk: MeetingsWalk = saved ?? {
      createdAfter: wm?.cursorTs ? new Date(Date.parse(wm.cursorTs) - this.lookbackMs).toISOString() : syncFrom(ctx.config),
      cursor: null,
      top: wm?.cursorTs ?? null,
    };
    for (;;) {
      let page;
      try {
        page = await client.meetings({ createdAfter: walk.createdAfter, cursor: walk.cursor }, ctx.signal);
      } catch (err) {
        throw describe(err);
      }
      const mapped: Mapped[] = page.items.flatMap((m) => mapFathom(m).actions.map(fromAction));
      for (const m of page.items) {
        const at = typeof m.created_at === 'string' && !Number.isNaN(Date.parse(m.created_at)) ? new Date(m.created_at).toISOString() : null;
        if (at && (!walk.top || at > walk.top)) walk.top = at;
      }
      walk.cursor = page.nextCursor;
      await ctx.commit({
        mapped,
        watermarks: [{ stream: MEETINGS_STREAM, update: walk.cursor ? { cursorTs: wm?.cursorTs ?? null, cursorId: null, meta: { walk } } : { cursorTs: walk.top, cursorId: null, meta: {} } }],
      });
      if (!walk.cursor) return;
    }
  }
}

/** Fathom's refusals as what to do. */
function describe(err: unknown): unknown {
  if (!(err instanceof ProviderHttpError)) return err;
  // Still a ProviderHttpError (the failure classifier reads its status), with Fathom's own advice.
  const advised = (message: string) => new ProviderHttpError(err.provider, err.status, message, err.attempts, err.transient, err.reason);
  if (err.status === 401 || err.status === 403) return advised(`Fathom refused the API key (${err.status}): check the source's API key (credentials.apiToken; Fathom settings, API Access) and update it`);
  if (err.status === 429) return advised(`${err.message}; Fathom allows 60 calls a minute per API key, the next run resumes from the watermark`);
  return err;
}

/** A source may say where its first sync starts (`config.syncFrom`, ISO 8601); else every meeting. */
function syncFrom(config: Record<string, unknown>): string | null {
  const v = config.syncFrom;
  return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : null;
}
