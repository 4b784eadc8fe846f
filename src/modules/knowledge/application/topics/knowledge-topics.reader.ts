import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { KnowledgeTopics, TopicLabel } from '@modules/knowledge/contracts/knowledge-topics';

/** KnowledgeTopics over the topics read model. */
@Injectable()
export class KnowledgeTopicsReader extends KnowledgeTopics {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {
    super();
  }

  async activeTopics(workspaceId: string): Promise<TopicLabel[]> {
    const res = await this.pool.query<TopicLabel>(
      `SELECT id, name, description FROM knowledge_topics_view WHERE workspace_id = $1 AND archived_at IS NULL ORDER BY lower(name), id`,
      [workspaceId],
    );
    return res.rows;
  }
}
