import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';

/**
 * Provider delivery ids already taken in (`ingestion_webhook_deliveries`): a redelivery of one
 * is answered without touching anything. A delivery is recorded once its effects are stored, so a
 * failure half-way leaves it unrecorded and the provider's retry does the rest (new messages are
 * deduplicated by their deterministic ids, no-op edits are skipped).
 */
@Injectable()
export class WebhookDeliveries {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async seen(sourceId: string, deliveryId: string): Promise<boolean> {
    const r = await this.pool.query(`SELECT 1 FROM ingestion_webhook_deliveries WHERE source_id = $1 AND delivery_id = $2`, [sourceId, deliveryId]);
    return r.rowCount !== null && r.rowCount > 0;
  }

  async record(sourceId: string, deliveryId: string): Promise<void> {
    await this.pool.query(`INSERT INTO ingestion_webhook_deliveries (source_id, delivery_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [sourceId, deliveryId]);
  }
}
