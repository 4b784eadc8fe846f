import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { z } from 'zod';
import { cursorCodec, cursorPart } from '@libs/common/pagination/cursor';
import { PG_POOL } from '@libs/database/database-backend';

export interface ConversationSummary {
  id: string;
  title: string;
  agentId: string | null;
  context: Record<string, unknown>;
  isActive: boolean;
  messageCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ConversationMessage {
  id: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  citations: unknown[] | null;
  functionCalls: unknown[] | null;
  tokensUsed: number | null;
  model: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

/** Keyset of the caller's conversations: (created_at as PostgreSQL prints it, exact to the microsecond; id). */
const conversationCursor = cursorCodec('knowledge.conversations', z.tuple([cursorPart.timestamp, cursorPart.uuid]));

const conversationColumns = `id, title, agent_id AS "agentId", context, is_active AS "isActive", message_count AS "messageCount",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Every read query of Ask's conversations, in one place. A conversation is only ever read by its owner. */
@Injectable()
export class ConversationQueries {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The caller's active conversation, or null (another workspace's, another user's and archived ones alike). */
  async conversation(workspaceId: string, userId: string, conversationId: string): Promise<ConversationSummary | null> {
    const r = await this.pool.query<ConversationSummary>(
      `SELECT ${conversationColumns} FROM knowledge_ai_conversations_view
        WHERE id = $1 AND workspace_id = $2 AND user_id = $3 AND is_active`,
      [conversationId, workspaceId, userId],
    );
    return r.rows[0] ?? null;
  }

  /** Messages in conversation order; `last` keeps only the most recent ones (still in order). */
  async messages(conversationId: string, last?: number): Promise<ConversationMessage[]> {
    const r = await this.pool.query<ConversationMessage>(
      `SELECT * FROM (
         SELECT id, role, content, citations, function_calls AS "functionCalls", tokens_used AS "tokensUsed", model, metadata,
                created_at AS "createdAt", position
           FROM knowledge_ai_messages_view WHERE conversation_id = $1
          ORDER BY position DESC LIMIT $2) m
        ORDER BY position`,
      [conversationId, last ?? null],
    );
    return r.rows.map(({ position: _p, ...m }: ConversationMessage & { position?: number }) => m);
  }

  /** The caller's active conversations, newest first, in keyset pages on (created_at, id). */
  async conversations(workspaceId: string, userId: string, page: { cursor?: string; limit: number }) {
    const [afterAt, afterId] = page.cursor ? conversationCursor.decode(page.cursor) : [null, null];
    const r = await this.pool.query<ConversationSummary & { created_at_text: string }>(
      `SELECT ${conversationColumns}, created_at::text AS created_at_text FROM knowledge_ai_conversations_view
        WHERE workspace_id = $1 AND user_id = $2 AND is_active
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $5`,
      [workspaceId, userId, afterAt, afterId, page.limit + 1],
    );
    const rows = r.rows.slice(0, page.limit);
    const last = rows[rows.length - 1];
    return {
      items: rows.map(({ created_at_text: _t, ...c }) => c),
      nextCursor: r.rows.length > page.limit && last ? conversationCursor.encode([last.created_at_text, last.id]) : null,
    };
  }
}
