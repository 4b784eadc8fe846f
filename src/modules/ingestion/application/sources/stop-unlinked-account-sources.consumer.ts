import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { uuidV5 } from '@libs/common/ids/uuid-v5';
import { Queryable, RecordedEvent } from '@libs/event-store/event-store.types';
import { BatchedConsumer, ConsumerDeps, ConsumerOptions } from '@libs/eventsourcing/subscriptions/batched-consumer';
import { BatchedConsumers } from '@libs/eventsourcing/subscriptions/batched-consumers';
import { IdentityEvents } from '@modules/identity/contracts';
import { PullSyncService } from '@modules/ingestion/application/pull-sync/pull-sync.service';
import { SourcesHandler } from './sources.handler';

export const STOP_UNLINKED_ACCOUNT_SOURCES = 'ingestion.stop-unlinked-account-sources';
const COMMAND_NAMESPACE = '6f2d9a41-8c3b-4e57-a1d0-5b7e9c2f4a83';

/**
 * A disconnected OAuth account stops every source reading it (config.oauthAccountId): the source
 * is deactivated (its messages stay) and a sync of it running in this process is cancelled (one
 * running elsewhere fails on its next token: the account is no longer linked). The work is done
 * in `prepare`, outside the checkpoint's transaction (it appends to the sources' own streams);
 * redelivery is harmless: only sources still active are touched, under command ids derived from
 * the unlink event.
 */
export class StopUnlinkedAccountSourcesConsumer extends BatchedConsumer<number, number> {
  readonly name = STOP_UNLINKED_ACCOUNT_SOURCES;
  readonly eventTypes = [IdentityEvents.OAuthAccountUnlinked];
  readonly ordering = 'none';
  private readonly logger = new Logger('StopUnlinkedAccountSources');

  constructor(
    deps: ConsumerDeps,
    options: ConsumerOptions,
    private readonly sources: SourcesHandler,
    private readonly pullSync: PullSyncService,
  ) {
    super(deps, options);
  }

  override async prepare(events: RecordedEvent[], db: Queryable): Promise<number> {
    let stopped = 0;
    for (const e of events) {
      const accountId = (e.data as { accountId?: unknown }).accountId;
      if (typeof accountId !== 'string') continue;
      const r = await db.query<{ id: string; workspace_id: string }>(`SELECT id, workspace_id FROM ingestion_sources_view WHERE is_active AND config->>'oauthAccountId' = $1`, [accountId]);
      for (const s of r.rows) {
        this.pullSync.cancel(s.id, 'the OAuth account it reads was disconnected');
        await this.sources.deactivate(s.workspace_id, s.id, {
          commandId: uuidV5(`${e.eventId}:${s.id}`, COMMAND_NAMESPACE),
          workspaceId: s.workspace_id,
          actorId: null,
          correlationId: e.correlationId ?? e.eventId,
          now: new Date(),
        });
        stopped++;
      }
    }
    if (stopped) this.logger.log({ stopped }, 'sources of a disconnected OAuth account deactivated');
    return stopped;
  }

  async apply(_tx: unknown, _events: RecordedEvent[], stopped: number): Promise<number> {
    return stopped;
  }
}

/** Registers the consumer (kind integration: run by the SubscriptionRunner in processes with RUN_SUBSCRIPTIONS). */
@Injectable()
export class StopUnlinkedAccountSourcesRegistrar implements OnModuleInit {
  constructor(
    private readonly consumers: BatchedConsumers,
    private readonly sources: SourcesHandler,
    private readonly pullSync: PullSyncService,
  ) {}

  onModuleInit(): void {
    this.consumers.register('integration', (holder) => new StopUnlinkedAccountSourcesConsumer(this.consumers.deps, { batchSize: 50, maxAttempts: 5, backoffMs: 200, holder }, this.sources, this.pullSync));
  }
}
