import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import type { OAuthAccessTokens } from '@modules/identity/contracts';
import { RejectedRow } from '@modules/ingestion/domain/import-job/import-job.decider';
import { IngestionError, IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';
import { FieldError, IncomingMessage } from '@modules/ingestion/domain/message/incoming-message';
import type { ProviderHttpOptions } from '@modules/ingestion/infrastructure/connectors/provider-http';
import type { ContactInput, ConversationInput, ConversationWriter } from '@modules/ingestion/infrastructure/conversation-writer';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { MessageWriter, SourceRef, WriteContext } from '@modules/ingestion/infrastructure/message-writer';
import { Credentials, SourceCredentials } from '@modules/ingestion/infrastructure/source-credentials';
import type { WebhookAction } from '@modules/ingestion/application/webhooks/webhook-actions';
import { describeSyncFailure, SyncFailureCode } from './sync-failure';
import { SyncWatermarks, Watermark, WatermarkUpdate } from './sync-watermarks';

export type PullSourceKind = 'chatwoot' | 'gong' | 'slack' | 'imap' | 'gmail' | 'microsoft365' | 'fathom';
export const PULL_SOURCE_KINDS: readonly PullSourceKind[] = ['chatwoot', 'gong', 'slack', 'imap', 'gmail', 'microsoft365', 'fathom'];

/** A fetched row as a runner hands it to the job: a message to store, skipped with a reason, or rejected with field errors. */
export type Mapped = { kind: 'message'; message: IncomingMessage } | { kind: 'skipped'; reason: string } | { kind: 'rejected'; errors: FieldError[] };

/** A webhook mapper's answer as a sync row: what is not a message is skipped (with the mapper's reason). */
export function fromAction(a: WebhookAction): Mapped {
  return a.kind === 'message' ? { kind: 'message', message: a.message } : { kind: 'skipped', reason: a.kind === 'ignored' ? a.reason : a.kind };
}

/** What a runner needs of a source (a row of ingestion_sources_view). */
export interface PullSource {
  id: string;
  workspaceId: string;
  kind: PullSourceKind;
  credentialsCiphertext: string | null;
  config: Record<string, unknown>;
}

/** Plain collaborators (no Nest DI), so a stand-alone process can build a runner too. */
export interface SyncRunnerDeps {
  pool: Pick<Pool, 'query'>;
  writer: MessageWriter;
  aggregates: IngestionAggregates;
  credentials: SourceCredentials;
  /** Support conversations and source contacts (Chatwoot); without it a runner stores messages only. */
  conversations?: ConversationWriter;
  /** Retry policy, fetch, sleep, the outbound guard: tests shorten the waits. */
  http?: ProviderHttpOptions;
  /** Proves (and binds) the source's provider account before anything is pulled; throws when it cannot. */
  verifyAccount?: (source: PullSource, meta: CommandMetadata) => Promise<void>;
  /** SLACK_API_BASE_URL (tests point it at a fake); Slack's own when absent. */
  slackApiBase?: string;
  /** Linked accounts' tokens (identity's contract), for the kinds that read a linked account (gmail, microsoft365). */
  oauthTokens?: OAuthAccessTokens;
  /** GMAIL_API_BASE_URL, GRAPH_API_BASE_URL and FATHOM_API_BASE_URL (tests point them at fakes); the providers' own when absent. */
  gmailApiBase?: string;
  graphApiBase?: string;
  fathomApiBase?: string;
  now?: () => Date;
}

export interface SyncCounters {
  pages: number;
  fetched: number;
  stored: number;
  skipped: number;
  rejected: number;
  /** Conversation and contact events written (only what changed since the last look). */
  conversations: number;
  contacts: number;
}

export interface SyncSummary extends SyncCounters {
  jobId: string;
  sourceId: string;
  status: 'completed' | 'failed';
  error: string | null;
  /** What the failure asks of a person (sync-failure.ts); null when completed. */
  errorCode?: SyncFailureCode | null;
}

export interface SyncHandle {
  jobId: string;
  source: PullSource;
  credentials: Credentials;
  meta: CommandMetadata;
}

/** One page as a runner hands it over: mapped rows, and the watermarks that move once they are stored. */
export interface PageCommit {
  mapped: Mapped[];
  conversations?: ConversationInput[];
  contacts?: ContactInput[];
  watermarks: { stream: string; update: WatermarkUpdate }[];
}

export interface PullContext {
  source: SourceRef;
  config: Record<string, unknown>;
  credentials: Credentials;
  signal?: AbortSignal;
  http: ProviderHttpOptions;
  now: () => Date;
  watermark(stream: string): Promise<Watermark | null>;
  /** Stores the page's messages, THEN moves its watermarks, then counts it on the job. */
  commit(page: PageCommit): Promise<void>;
  /** Which of these thread ids already have a message of this source (of this `metadata.kind`, if given). */
  knownThreads(threadIds: string[], metadataKind?: string): Promise<Set<string>>;
}

/**
 * A pull sync of one source as an ingestion job (kind 'sync'): `open` starts the job and sets
 * the source syncing; `execute` lets the connector page forward from its watermarks, storing
 * each page before moving them, and ends the job (completed, or failed with the reason) and
 * the source's sync status (success, or error with the message). A crash at any point loses
 * nothing: the next run resumes at the watermark and repeats at most the page in flight,
 * which stores nothing new (deterministic message ids). Callers make sure one sync of a
 * source runs at a time (PullSyncService holds a lease).
 */
export abstract class SyncRunner {
  abstract readonly kind: PullSourceKind;
  /** Reads a linked OAuth account (config.oauthAccountId, token from identity): the source has no credentials of its own. */
  readonly usesLinkedAccount: boolean = false;
  protected readonly logger = new Logger('PullSync');
  protected readonly watermarks: SyncWatermarks;

  constructor(protected readonly deps: SyncRunnerDeps) {
    this.watermarks = new SyncWatermarks(deps.pool);
  }

  protected abstract pull(ctx: PullContext): Promise<void>;

  async run(source: PullSource, opts: { meta: CommandMetadata; jobId?: string; signal?: AbortSignal }): Promise<SyncSummary> {
    return this.execute(await this.open(source, opts), opts.signal);
  }

  /** Starts the job (after failing the source's sync jobs a dead process left running) and sets the source syncing. */
  async open(source: PullSource, opts: { meta: CommandMetadata; jobId?: string }): Promise<SyncHandle> {
    if (source.kind !== this.kind) throw new Error(`A ${this.kind} runner cannot sync a ${source.kind} source`);
    const credentials = this.usesLinkedAccount ? {} : this.deps.credentials.open(source.id, source.credentialsCiphertext);
    if (!credentials) throw new IngestionError(IngestionErrorCode.CredentialsInvalid, `The ${source.kind} source has no credentials to sync with`);
    const jobId = opts.jobId ?? uuidv7();
    const meta = { ...opts.meta, workspaceId: source.workspaceId, idempotencyKey: undefined, expectedVersion: undefined };
    await this.failAbandoned(source, meta);
    await this.deps.aggregates.job.handle(jobId, {
      kind: 'start', jobId, workspaceId: source.workspaceId, sourceId: source.id, jobKind: 'sync', format: source.kind, fileName: null, sourceIdentifiers: { sourceKind: source.kind }, now: this.now(),
    }, meta);
    await this.status(source, 'syncing', null, meta);
    return { jobId, source, credentials, meta };
  }

  /** Runs the pull to its end; never throws for a provider or storage failure (the summary and the job say it). */
  async execute(handle: SyncHandle, signal?: AbortSignal): Promise<SyncSummary> {
    const { jobId, source, meta } = handle;
    const ref: SourceRef = { id: source.id, kind: source.kind, workspaceId: source.workspaceId };
    const counters: SyncCounters = { pages: 0, fetched: 0, stored: 0, skipped: 0, rejected: 0, conversations: 0, contacts: 0 };
    const ctx: PullContext = {
      source: ref,
      config: source.config ?? {},
      credentials: handle.credentials,
      signal,
      http: this.deps.http ?? {},
      now: () => this.now(),
      watermark: (stream) => this.watermarks.get(source.id, stream),
      knownThreads: (ids, kind) => this.knownThreads(ref, ids, kind),
      commit: async (page) => {
        const messages: IncomingMessage[] = [];
        const rejected: RejectedRow[] = [];
        let skipped = 0;
        const positions: number[] = [];
        page.mapped.forEach((m, i) => {
          if (m.kind === 'message') {
            messages.push(m.message);
            positions.push(counters.fetched + i);
          } else if (m.kind === 'rejected') rejected.push({ index: counters.fetched + i, errors: m.errors });
          else skipped++;
        });
        const out = messages.length
          ? await this.deps.writer.ingest(ref, messages, { importJobId: jobId, actorId: meta.actorId, correlationId: meta.correlationId })
          : { stored: [], duplicates: [], rejected: [] };
        for (const r of out.rejected) rejected.push({ index: positions[r.index], externalId: messages[r.index].externalId, errors: [{ field: '', message: r.reason }] });
        const written = await this.writeConversations(ref, page, { importJobId: jobId, actorId: meta.actorId, correlationId: meta.correlationId });
        // Only now, with the page stored, may the watermarks move past it.
        for (const w of page.watermarks) await this.watermarks.set(source.id, w.stream, w.update);
        if (page.mapped.length) {
          await this.deps.aggregates.job.handle(jobId, { kind: 'record-batch', fetched: page.mapped.length, stored: out.stored.length, skipped: skipped + out.duplicates.length, duplicates: out.duplicates.length, rejected, now: this.now() }, meta);
        }
        counters.pages++;
        counters.fetched += page.mapped.length;
        counters.stored += out.stored.length;
        counters.skipped += skipped + out.duplicates.length;
        counters.rejected += rejected.length;
        counters.conversations += written.conversations;
        counters.contacts += written.contacts;
      },
    };
    try {
      await this.deps.verifyAccount?.(source, meta);
      await this.pull(ctx);
      // The source's status before the job's end: whoever sees the job finished sees the source up to date.
      await this.status(source, 'success', null, meta);
      await this.deps.aggregates.job.handle(jobId, { kind: 'complete', now: this.now() }, meta);
      return { jobId, sourceId: source.id, status: 'completed', error: null, errorCode: null, ...counters };
    } catch (err) {
      const { code, message: error } = describeSyncFailure(err, source.kind, signal);
      // An error of unknown origin says nothing on the job: its name goes to the log for the operator (known ones carry no provider body).
      this.logger.warn({ sourceId: source.id, kind: source.kind, jobId, code, error, ...(code === 'other' && err instanceof Error ? { cause: err.name } : {}) }, 'pull sync failed');
      try {
        await this.status(source, 'error', error, meta, code);
        await this.deps.aggregates.job.handle(jobId, { kind: 'fail', error, code, now: this.now() }, meta);
      } catch (recordErr) {
        // The database is gone too: the next run fails this job as abandoned.
        this.logger.error({ err: recordErr, sourceId: source.id, jobId }, 'recording the failed sync failed');
      }
      return { jobId, sourceId: source.id, status: 'failed', error, errorCode: code, ...counters };
    }
  }

  protected now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private status(source: PullSource, status: 'syncing' | 'success' | 'error', error: string | null, meta: CommandMetadata, errorCode?: SyncFailureCode) {
    return this.deps.aggregates.source.handle(source.id, { kind: 'set-sync-status', status, error, errorCode, now: this.now() }, { ...meta, commandId: uuidv7() });
  }

  private async failAbandoned(source: PullSource, meta: CommandMetadata): Promise<void> {
    const r = await this.deps.pool.query<{ id: string }>(
      `SELECT id FROM ingestion_jobs_view WHERE source_id = $1 AND kind = 'sync' AND status = 'running'`,
      [source.id],
    );
    for (const { id } of r.rows) {
      await this.deps.aggregates.job.handle(id, { kind: 'fail', code: 'interrupted', error: 'abandoned: the sync stopped before it finished (process ended); a later run resumed from the watermark', now: this.now() }, meta);
    }
  }

  private async knownThreads(source: SourceRef, threadIds: string[], metadataKind?: string): Promise<Set<string>> {
    if (threadIds.length === 0) return new Set();
    const r = await this.deps.pool.query<{ thread_id: string }>(
      `SELECT DISTINCT thread_id FROM ingestion_messages_view
        WHERE workspace_id = $1 AND thread_id = ANY($2::text[]) AND source_id = $3 AND ($4::text IS NULL OR metadata->>'kind' = $4)`,
      [source.workspaceId, threadIds, source.id, metadataKind ?? null],
    );
    return new Set(r.rows.map((x) => x.thread_id));
  }

  /**
   * Conversations and contacts whose state differs from their read model (a walk looks at
   * recent ones again each run: unchanged, they append nothing). Contacts are compared on their
   * own fields, not the raw payload, which differs between the list and a conversation's view.
   */
  private async writeConversations(source: SourceRef, page: PageCommit, ctx: WriteContext): Promise<{ conversations: number; contacts: number }> {
    const writer = this.deps.conversations;
    if (!writer || (!page.conversations?.length && !page.contacts?.length)) return { conversations: 0, contacts: 0 };
    const conversations = uniqueBy(page.conversations ?? [], (c) => c.externalId);
    const contacts = uniqueBy(page.contacts ?? [], (c) => c.externalId);
    const current = await this.deps.pool.query(
      `SELECT external_id, status, inbox_id, assignee_id, contact_external_id, raw FROM ingestion_conversations_view WHERE source_id = $1 AND external_id = ANY($2::text[])`,
      [source.id, conversations.map((c) => c.externalId)],
    );
    const seenConversations = new Map(current.rows.map((r) => [r.external_id as string, canonical([r.status, r.inbox_id, r.assignee_id, r.contact_external_id, r.raw])]));
    const people = await this.deps.pool.query(
      `SELECT external_id, name, email, phone, identifier, custom_attributes FROM ingestion_source_contacts_view WHERE source_id = $1 AND external_id = ANY($2::text[])`,
      [source.id, contacts.map((c) => c.externalId)],
    );
    const seenContacts = new Map(people.rows.map((r) => [r.external_id as string, canonical([r.name, r.email, r.phone, r.identifier, r.custom_attributes ?? {}])]));
    const changedConversations = conversations.filter((c) => seenConversations.get(c.externalId) !== canonical([c.status, c.inboxId, c.assigneeId, c.contactExternalId, c.raw]));
    const changedContacts = contacts.filter((c) => seenContacts.get(c.externalId) !== canonical([c.name, c.email, c.phone, c.identifier, c.customAttributes]));
    await writer.write(source, { conversations: changedConversations, contacts: changedContacts }, ctx);
    return { conversations: changedConversations.length, contacts: changedContacts.length };
  }
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  // The last one wins: a list can show the same item twice when it shifts between two pages.
  return [...new Map(items.map((i) => [key(i), i])).values()];
}

/** JSON with object keys sorted, so a jsonb round trip compares equal. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));
}
