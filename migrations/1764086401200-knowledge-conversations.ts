import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Knowledge: Ask conversations and their messages (read models of `ai-conversation-*` streams,
 * seed 004 ai_conversations / ai_messages). No foreign keys between the two: each is rebuilt
 * on its own (a shadow table swapped in), and the log is what ties them.
 */
export class KnowledgeConversations1764086401200 implements MigrationInterface {
  name = 'KnowledgeConversations1764086401200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE knowledge_ai_conversations_view (
        id            uuid PRIMARY KEY,
        workspace_id  uuid NOT NULL,
        user_id       uuid NOT NULL,
        agent_id      uuid,
        title         varchar(255) NOT NULL,
        context       jsonb NOT NULL DEFAULT '{}'::jsonb,
        is_active     boolean NOT NULL DEFAULT true,
        message_count integer NOT NULL DEFAULT 0,
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL
      )`);
    // The caller's own conversations, newest first (keyset pages on (created_at, id)).
    await q.query(`CREATE INDEX knowledge_ai_conversations_owner_idx ON knowledge_ai_conversations_view (workspace_id, user_id, created_at DESC, id DESC) WHERE is_active`);
    // Erasure scrubs a user's conversations in every workspace.
    await q.query(`CREATE INDEX knowledge_ai_conversations_user_idx ON knowledge_ai_conversations_view (user_id)`);
    await q.query(`
      CREATE TABLE knowledge_ai_messages_view (
        id              uuid PRIMARY KEY,
        conversation_id uuid NOT NULL,
        workspace_id    uuid NOT NULL,
        position        integer NOT NULL,
        role            varchar(20) NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
        content         text NOT NULL,
        function_calls  jsonb,
        metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
        tokens_used     integer,
        model           varchar(200),
        citations       jsonb,
        created_at      timestamptz NOT NULL
      )`);
    // The seed's index; and the order of a conversation, one message per place (concurrent turns are serialised by the stream's version).
    await q.query(`CREATE INDEX knowledge_ai_messages_conversation_idx ON knowledge_ai_messages_view (conversation_id, created_at)`);
    await q.query(`CREATE UNIQUE INDEX knowledge_ai_messages_position_key ON knowledge_ai_messages_view (conversation_id, position)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS knowledge_ai_messages_view, knowledge_ai_conversations_view`);
  }
}
