import { Inject } from '@nestjs/common';
import { Presets, SingleBar } from 'cli-progress';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { Command, CommandRunner, Option } from 'nest-commander';
import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { ApplicationError, ValidationFailedError } from '@libs/common/errors/application-error';
import { PG_POOL } from '@libs/database/database-backend';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { FileImporter, FileImportResult, FileReadProgress, IMPORT_FILE_FORMATS } from '@modules/ingestion/contracts';

interface ImportOptions {
  workspace?: string;
  format?: string;
  sourceId?: string;
  sourceName?: string;
  mapping?: Record<string, string>;
  actor?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const human = (n: number, unit: FileReadProgress['unit']) =>
  unit === 'bytes' ? (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} kB`) : `${n} ${unit}`;

/** What the summary prints: the job's outcome without the bulky parts. */
export function importSummary(r: FileImportResult) {
  return {
    jobId: r.jobId,
    status: r.status,
    file: r.fileName,
    format: r.format,
    source: r.source,
    rows: r.rows,
    stored: r.accepted,
    duplicates: r.duplicates,
    rejected: r.rejectedCount,
    skipped: r.skipped,
    firstRejected: r.rejected.slice(0, 20),
    error: r.error,
    durationMs: r.durationMs,
  };
}

/**
 * `import <file> --workspace <id> [--format f] [--source-id id | --source-name n]`: an export
 * file into a workspace as an ingestion job, with a progress bar (stderr) and a JSON summary
 * (stdout). Exit 0 completed, 1 failed, 2 refused (bad arguments, unknown workspace or source).
 */
@Command({ name: 'import', arguments: '<file>', description: `Import an export file (${IMPORT_FILE_FORMATS.join(', ')}) into a workspace as an ingestion job` })
export class ImportCommand extends CommandRunner {
  constructor(
    private readonly imports: FileImporter,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {
    super();
  }

  async run([file]: string[], opts: ImportOptions): Promise<void> {
    const refuse = (message: string) => {
      process.stderr.write(`${message}\n`);
      process.exitCode = 2;
    };
    if (!opts.workspace || !UUID.test(opts.workspace)) return refuse('--workspace <id> is required (a workspace id)');
    if (opts.sourceId && opts.sourceName) return refuse('Give --source-id or --source-name, not both');
    const path = resolve(file);
    const st = await stat(path).catch(() => null);
    if (!st?.isFile()) return refuse(`No such file: ${path}`);
    // A workspace exists once it has streams (the platform's event store knows every workspace's streams).
    const ws = await this.pool.query(`SELECT EXISTS (SELECT 1 FROM event_streams WHERE workspace_id = $1) AS ok`, [opts.workspace]);
    if (!ws.rows[0].ok) return refuse(`No workspace ${opts.workspace}`);

    const meta: CommandMetadata = { commandId: uuidv7(), workspaceId: opts.workspace, actorId: opts.actor ?? 'cli', correlationId: uuidv7(), now: new Date() };
    let prepared;
    try {
      prepared = await this.imports.prepare(
        { workspaceId: opts.workspace, path, fileName: basename(path), format: opts.format, sourceId: opts.sourceId, sourceName: opts.sourceName, csvMapping: opts.mapping },
        meta,
      );
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      const details = err instanceof ValidationFailedError ? err.errors.map((e) => `\n  ${e.field}: ${e.message}`).join('') : '';
      return refuse(`${err.code}: ${err.message}${details}`);
    }

    const bar = new SingleBar(
      { format: `${prepared.format} [{bar}] {percentage}% | {read} | {rows} rows: {stored} stored, {duplicates} duplicates, {rejected} rejected | ETA {eta_formatted}`, hideCursor: true },
      Presets.shades_classic,
    );
    let ctx: { progress: FileReadProgress } | null = null;
    const counts = { rows: 0, stored: 0, duplicates: 0, rejected: 0 };
    const draw = () => {
      if (!ctx) return;
      const p = ctx.progress;
      bar.setTotal(Math.max(p.total, 1));
      bar.update(Math.min(p.done, Math.max(p.total, 1)), { ...counts, read: `${human(p.done, p.unit)} of ${human(p.total, p.unit)}` });
    };
    bar.start(1, 0, { ...counts, read: '' });
    const timer = setInterval(draw, 250);
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    let result: FileImportResult;
    try {
      result = await this.imports.run(prepared, meta, {
        signal: abort.signal,
        onContext: (c) => (ctx = c),
        onProgress: (p) => {
          Object.assign(counts, { rows: p.rows, stored: p.accepted, duplicates: p.duplicates, rejected: p.rejected });
          draw();
        },
      });
      draw();
    } finally {
      clearInterval(timer);
      process.removeListener('SIGINT', onSigint);
      bar.stop();
    }
    process.stdout.write(JSON.stringify(importSummary(result), null, 2) + '\n');
    if (result.status !== 'completed') process.exitCode = 1;
  }

  @Option({ flags: '-w, --workspace <id>', description: 'the workspace to import into (required)' })
  parseWorkspace(v: string): string {
    return v.trim();
  }

  @Option({ flags: '-f, --format <format>', description: `${IMPORT_FILE_FORMATS.join(' | ')}; default: told from the file name (a .zip from its entries: Slack export or email-zip)` })
  parseFormat(v: string): string {
    if (!(IMPORT_FILE_FORMATS as readonly string[]).includes(v)) throw new Error(`--format must be one of ${IMPORT_FILE_FORMATS.join(', ')}`);
    return v;
  }

  @Option({ flags: '--source-id <id>', description: 'an existing source of the workspace' })
  parseSourceId(v: string): string {
    if (!UUID.test(v)) throw new Error('--source-id must be a source id (UUID)');
    return v;
  }

  @Option({ flags: '--source-name <name>', description: "the source (of the format's kind) to find or make; default: the file name" })
  parseSourceName(v: string): string {
    const s = v.trim();
    if (s.length < 1 || s.length > 100) throw new Error('--source-name must be 1-100 characters');
    return s;
  }

  @Option({ flags: '--mapping <json>', description: 'CSV header mapping as JSON, e.g. {"content":"Body","sentAt":"Date"}' })
  parseMapping(v: string): Record<string, string> {
    const m = JSON.parse(v) as unknown;
    if (!m || typeof m !== 'object' || Array.isArray(m)) throw new Error('--mapping must be a JSON object');
    return m as Record<string, string>;
  }

  @Option({ flags: '-a, --actor <id>', description: 'who imports (recorded on the events); default "cli"' })
  parseActor(v: string): string {
    if (!/^\S{1,200}$/.test(v)) throw new Error('--actor must be 1-200 characters without spaces');
    return v;
  }
}
