import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { unlink } from 'node:fs/promises';
import { v7 as uuidv7 } from 'uuid';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { FileImporter, FileImportRequest, FileImportResult, PreparedFileImport } from '@modules/ingestion/contracts/file-imports';
import { SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';
import { IngestionError, IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { SourceRef } from '@modules/ingestion/infrastructure/message-writer';
import type { SourceRow } from '@modules/ingestion/projections/sources.projection';
import { ImportLimits, importLimitsOf } from '@modules/ingestion/application/import-messages/import-limits';
import { ImportProgress, ImportRunner } from '@modules/ingestion/application/import-messages/import-runner';
import { ImportSlots } from '@modules/ingestion/application/import-messages/import-slots';
import { SourcesHandler } from '@modules/ingestion/application/sources/sources.handler';
import { checkFileLimits, defaultSourceName, fileRows, formatOfFile, ImportFileFormat, IMPORT_FILE_FORMATS, isImportFileFormat, sniffFormatProblem, SOURCE_KIND_OF } from './import-file-formats';
import { rowsInWorker } from './parse-worker/parse-in-worker';
import { ReadContext } from './read-context';

/**
 * Mail is parsed in a worker thread beside the writing (mailparser costs more than the database
 * per message); the other formats parse faster than they are written, and stay in this thread.
 */
const PARSED_IN_WORKER = new Set<ImportFileFormat>(['mbox', 'eml', 'email-zip']);

/**
 * Imports an export file (Slack zip, Telegram result.json, mbox, .eml, CSV, NDJSON, JSON) as an
 * ingestion job through the ImportRunner: the same validation, batching, deduplication and
 * counters as POST /messages/import. The HTTP route answers as soon as the job exists and runs
 * the rest in the background; the CLI runs it in the foreground with a progress bar.
 */
@Injectable()
export class FileImports implements BeforeApplicationShutdown, FileImporter {
  private readonly logger = new Logger('FileImports');
  private readonly running = new Map<string, { abort: AbortController; done: Promise<unknown> }>();
  private readonly limits: ImportLimits;

  constructor(
    private readonly runner: ImportRunner,
    private readonly sources: SourcesHandler,
    private readonly aggregates: IngestionAggregates,
    private readonly slots: ImportSlots,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limits = importLimitsOf(config);
  }

  async prepare(req: FileImportRequest, meta: CommandMetadata): Promise<PreparedFileImport> {
    if (!req.path) throw new ValidationFailedError('Send the export as a multipart field named "file"', [{ field: 'file', message: 'file is required' }]);
    const fileName = (req.fileName ?? '').trim() || 'upload';
    const format = req.format ?? (await formatOfFile(req.path, fileName, this.limits));
    if (!isImportFileFormat(format)) {
      throw new ValidationFailedError('The format is missing or unknown', [
        { field: 'format', message: `format must be one of ${IMPORT_FILE_FORMATS.join(', ')}${req.format ? '' : ` (it could not be told from the file name ${JSON.stringify(fileName)})`}` },
      ]);
    }
    const problem = await sniffFormatProblem(req.path, format);
    if (problem) throw new IngestionError(IngestionErrorCode.ImportFormatInvalid, `This file is not ${format}: ${problem}`, { format, fileName });
    await checkFileLimits(req.path, format, this.limits);
    const source = await this.source(req.workspaceId, format, fileName, req, meta);
    const jobId = uuidv7();
    const ref = { id: source.id, kind: source.kind as SourceKind, workspaceId: req.workspaceId };
    // The job exists before the answer: GET /jobs/:jobId works at once (the runner's own start is then a no-op).
    await this.aggregates.job.handle(jobId, {
      kind: 'start', jobId, workspaceId: ref.workspaceId, sourceId: ref.id, jobKind: 'import', format, fileName, sourceIdentifiers: { sourceKind: ref.kind }, now: meta.now,
    }, { ...meta, workspaceId: ref.workspaceId });
    return { jobId, workspaceId: req.workspaceId, path: req.path, fileName, format, source: { id: source.id, kind: ref.kind, name: source.name }, csvMapping: req.csvMapping };
  }

  /** Reads the file into its job; a failure is recorded on the job and answered as status 'failed'. */
  async run(p: PreparedFileImport, meta: CommandMetadata, options: { signal?: AbortSignal; onProgress?: (p: ImportProgress, read: ReadContext['progress']) => void; onContext?: (ctx: ReadContext) => void } = {}): Promise<FileImportResult> {
    const started = Date.now();
    const ref: SourceRef = { id: p.source.id, kind: p.source.kind, workspaceId: p.workspaceId };
    const m = { ...meta, workspaceId: p.workspaceId };
    let skipped: Record<string, number> = {};
    let last: ImportProgress = { rows: 0, accepted: 0, duplicates: 0, rejected: 0 };
    const base = { format: p.format, fileName: p.fileName, source: p.source, jobId: p.jobId };
    try {
      const { rows, ctx } = PARSED_IN_WORKER.has(p.format)
        ? rowsInWorker({ path: p.path, format: p.format, limits: this.limits, csvMapping: p.csvMapping }, options.signal)
        : await fileRows(p.path, p.format, { signal: options.signal, csvMapping: p.csvMapping, limits: this.limits });
      skipped = ctx.skipped;
      options.onContext?.(ctx);
      const summary = await this.runner.run(ref, rows, { format: p.format, fileName: p.fileName, jobId: p.jobId }, m, (progress) => {
        last = progress;
        options.onProgress?.(progress, ctx.progress);
      });
      return { ...base, ...summary, status: 'completed', rows: last.rows, skipped, rejected: summary.rejected.slice(0, 100), error: null, durationMs: Date.now() - started };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      // The runner fails its job itself; this covers what breaks before it runs (a no-op when the job already failed).
      await this.aggregates.job.handle(p.jobId, { kind: 'fail', error, now: new Date() }, m).catch(() => undefined);
      return { ...base, status: 'failed', accepted: last.accepted, duplicates: last.duplicates, rejectedCount: last.rejected, rows: last.rows, skipped, rejected: [], error, durationMs: Date.now() - started };
    }
  }

  /**
   * POST /imports: checks, starts the job, answers its id and imports in the background; the file
   * is deleted afterwards. Holds one of the workspace's import slots until the job ends (429 when none is free).
   */
  async startInBackground(req: FileImportRequest, meta: CommandMetadata): Promise<{ jobId: string }> {
    let prepared: PreparedFileImport;
    let release: (() => void) | undefined;
    try {
      release = this.slots.acquire(req.workspaceId);
      prepared = await this.prepare(req, meta);
    } catch (err) {
      release?.();
      if (req.path) await unlink(req.path).catch(() => undefined);
      throw err;
    }
    const abort = new AbortController();
    const m = { ...meta, workspaceId: req.workspaceId, idempotencyKey: undefined, expectedVersion: undefined };
    const done = this.run(prepared, m, { signal: abort.signal })
      .then((r) => {
        if (r.status === 'failed') this.logger.warn({ jobId: r.jobId, error: r.error }, 'file import failed');
      })
      .catch((err) => this.logger.error({ jobId: prepared.jobId, err }, 'file import crashed'))
      .finally(async () => {
        this.running.delete(prepared.jobId);
        release();
        await unlink(prepared.path).catch(() => undefined);
      });
    this.running.set(prepared.jobId, { abort, done });
    return { jobId: prepared.jobId };
  }

  /** Imports still running when the app stops are interrupted (their job fails with the reason) before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) r.abort.abort();
    await Promise.allSettled(all.map((r) => r.done));
  }

  private async source(workspaceId: string, format: ImportFileFormat, fileName: string, req: FileImportRequest, meta: CommandMetadata): Promise<SourceRow> {
    const s = req.sourceId
      ? await this.sources.get(workspaceId, req.sourceId)
      : await this.sources.findOrCreate(workspaceId, SOURCE_KIND_OF[format], (req.sourceName ?? '').trim() || defaultSourceName(format, fileName), { ...meta, workspaceId });
    if (!s.is_active) throw new IngestionError(IngestionErrorCode.SourceInactive, 'The source is deactivated');
    return s;
  }
}
