import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { MessageTexts } from '@modules/ingestion/contracts/message-texts';

/** MessageTexts over the messages read model. */
@Injectable()
export class MessageTextsReader extends MessageTexts {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {
    super();
  }

  async texts(workspaceId: string, messageIds: string[]): Promise<Map<string, string>> {
    if (messageIds.length === 0) return new Map();
    const res = await this.pool.query<{ id: string; content: string }>(
      `SELECT id, content FROM ingestion_messages_view WHERE workspace_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL`,
      [workspaceId, messageIds],
    );
    return new Map(res.rows.map((r) => [r.id, r.content]));
  }
}
