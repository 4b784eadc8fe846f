import { GongCallTranscript, GongClient } from '@modules/ingestion/infrastructure/connectors/gong.client';
import { mapGong } from '@modules/ingestion/application/webhooks/gong.mapper';
import { fromAction, Mapped, PullContext, SyncRunner, SyncRunnerDeps } from './sync-runner';

/** A window of call start times being listed, kept in the `calls` watermark while it runs. */
interface CallWindow {
  from: string | null;
  to: string;
  /** Gong's cursor for the next page of the window; null before the first page. */
  cursor: string | null;
}

export const CALLS_STREAM = 'calls';
/**
 * Gong makes a call available some time after it started (processing, transcription), and its
 * date filter is on the start time: each new window starts this long before the previous one
 * ended, so a late call is still found. Calls already stored cost no transcript request.
 */
export const GONG_LOOKBACK_MS = 24 * 3600_000;

/**
 * Gong pull sync. A run lists the calls that started in [watermark - lookback, now) with
 * POST /v2/calls/extensive (metadata and parties, cursor paging), keeps the ones not stored
 * yet, fetches their transcripts with POST /v2/calls/transcript (filter.callIds, cursor paging)
 * and stores one message per monologue (../webhooks/gong.mapper: id `<callId>:<first sentence ms>`,
 * thread `gong:<callId>`, author the party with that speakerId); the window and Gong's cursor are the watermark,
 * written after each page is stored, so a killed run continues with the same cursor. At the
 * end the watermark's time becomes the window's end. The client keeps to 3 calls a second.
 */
export class GongSyncRunner extends SyncRunner {
  readonly kind = 'gong' as const;

  constructor(
    deps: SyncRunnerDeps,
    private readonly lookbackMs = GONG_LOOKBACK_MS,
  ) {
    super(deps);
  }

  protected async pull(ctx: PullContext): Promise<void> {
    const client = new GongClient({ accessKey: ctx.credentials.accessKey, secretKey: ctx.credentials.secretKey, baseUrl: ctx.credentials.baseUrl }, ctx.http);
    const wm = await ctx.watermark(CALLS_STREAM);
    const window: CallWindow = (wm?.meta.window as CallWindow | undefined) ?? {
      from: wm?.cursorTs ? new Date(Date.parse(wm.cursorTs) - this.lookbackMs).toISOString() : syncFrom(ctx.config),
      to: ctx.now().toISOString(),
      cursor: null,
    };
    const filter = { ...(window.from ? { fromDateTime: window.from } : {}), toDateTime: window.to };
    let lastCallId = wm?.cursorId ?? null;
    for (;;) {
      const page = await client.calls(filter, window.cursor ?? undefined, ctx.signal);
      const calls = page.calls.filter((c) => c?.metaData?.id);
      // A call whose transcript is stored is not fetched again (a webhook may have stored its brief only).
      const known = await ctx.knownThreads(calls.map((c) => gongThread(c.metaData.id)), 'transcript-monologue');
      const fresh = calls.filter((c) => !known.has(gongThread(c.metaData.id)));
      let mapped: Mapped[] = [];
      if (fresh.length) {
        const callTranscripts = await this.transcripts(client, fresh.map((c) => String(c.metaData.id)), ctx.signal);
        // The webhook mapper reads exactly these shapes: a call's monologues get the same ids either way.
        mapped = mapGong({ callTranscripts, calls: fresh }).actions.map(fromAction);
      }
      if (calls.length) lastCallId = String(calls[calls.length - 1].metaData.id);
      const next = page.records.cursor || null;
      await ctx.commit({
        mapped,
        watermarks: [{
          stream: CALLS_STREAM,
          update: next ? { cursorTs: wm?.cursorTs ?? null, cursorId: lastCallId, meta: { window: { ...window, cursor: next } } } : { cursorTs: window.to, cursorId: lastCallId, meta: {} },
        }],
      });
      if (!next) return;
      window.cursor = next;
    }
  }

  /** Every transcript page of these calls. */
  private async transcripts(client: GongClient, callIds: string[], signal?: AbortSignal): Promise<GongCallTranscript[]> {
    const out: GongCallTranscript[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.transcripts({ callIds }, cursor, signal);
      out.push(...page.callTranscripts.filter((t) => callIds.includes(String(t.callId)) && Array.isArray(t.transcript)));
      cursor = page.records.cursor || undefined;
    } while (cursor);
    return out;
  }
}

/** The thread of a call's messages (as the Gong webhook mapper names it). */
const gongThread = (callId: string) => `gong:${callId}`;

/** A source may say where its first sync starts (`config.syncFrom`, ISO 8601); else from Gong's first call. */
function syncFrom(config: Record<string, unknown>): string | null {
  const v = config.syncFrom;
  return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : null;
}
