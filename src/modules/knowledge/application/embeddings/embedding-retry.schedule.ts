import { Inject, Injectable } from '@nestjs/common';
import { ScheduledJobs } from '@libs/jobs/scheduled-jobs';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { ChunkEmbeddingWorker } from './chunk-embedding.worker';

export const EMBEDDING_RETRY_JOB = 'knowledge.embedding-retry';

/**
 * The scheduled retry of failed embeddings (EMBEDDING_RETRY_CRON, every 5 minutes by default),
 * recorded in worker_runs: chunks whose next attempt is due, chunks stuck in processing, and
 * anything still pending (a process that died before its wake-up ran). Crons and job workers run
 * only where RUN_JOBS is on.
 */
@Injectable()
export class EmbeddingRetrySchedule {
  constructor(scheduled: ScheduledJobs, worker: ChunkEmbeddingWorker, @Inject(APP_CONFIG) config: AppConfig) {
    scheduled.register({
      name: EMBEDDING_RETRY_JOB,
      cron: config.EMBEDDING_RETRY_CRON,
      description: 'Retries failed chunk embeddings whose backoff has passed, and embeds chunks left pending',
      run: async () => {
        const s = await worker.retryDue();
        return { processed: s.ready, meta: { ...s } };
      },
    });
  }
}
