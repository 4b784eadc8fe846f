import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { IngestionError, IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';

/** What a refused import tells the client to wait: imports take seconds to minutes, a slot frees when one ends. */
export const IMPORT_RETRY_AFTER_SECONDS = 10;

/**
 * At most IMPORT_MAX_CONCURRENT_PER_WORKSPACE long imports (files, streamed NDJSON/CSV) run at
 * once per workspace in this process; one more is refused at once (429 INGESTION.TOO_MANY_IMPORTS
 * with Retry-After) rather than queued: a queue would hold its uploads and request bodies without
 * bound. 429 and not 409: nothing about the import conflicts with the workspace's state, the
 * client is simply asking too much at once and the same request succeeds later.
 *
 * In-process on purpose: a slot frees itself when its process dies (a row in the database would
 * stay taken after a crash), so with N app processes a workspace may run N times the limit.
 */
@Injectable()
export class ImportSlots {
  private readonly running = new Map<string, number>();
  private readonly max: number;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'IMPORT_MAX_CONCURRENT_PER_WORKSPACE'>) {
    this.max = config.IMPORT_MAX_CONCURRENT_PER_WORKSPACE ?? 3;
  }

  /** Takes a slot of `workspaceId` or throws TOO_MANY_IMPORTS; the returned function frees it (once). */
  acquire(workspaceId: string): () => void {
    const n = this.running.get(workspaceId) ?? 0;
    if (n >= this.max) {
      throw new IngestionError(IngestionErrorCode.TooManyImports, `${n} imports are running in this workspace, the most at once (IMPORT_MAX_CONCURRENT_PER_WORKSPACE); retry when one has ended`, {
        running: n,
        max: this.max,
        retryAfterSeconds: IMPORT_RETRY_AFTER_SECONDS,
      });
    }
    this.running.set(workspaceId, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(workspaceId) ?? 1) - 1;
      if (left > 0) this.running.set(workspaceId, left);
      else this.running.delete(workspaceId);
    };
  }
}

/** Retry-After for a TOO_MANY_IMPORTS refusal (the problem body has no headers of its own). */
export function retryAfterOf(err: unknown): number | null {
  return err instanceof IngestionError && err.code === IngestionErrorCode.TooManyImports ? IMPORT_RETRY_AFTER_SECONDS : null;
}
