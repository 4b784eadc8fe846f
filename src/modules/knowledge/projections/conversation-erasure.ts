import { ErasureHook } from '@libs/event-store/data-subjects';
import { ERASED } from '@libs/event-store/personal-data';

/**
 * Erasing a user (subject = their user id, as identity names it) scrubs their conversations in
 * the erasure's transaction: exactly the fields conversationPersonalData seals, so the views
 * equal what a rebuild reads from the log ('[erased]' in place of each sealed value). Rows
 * keep their ids, times and citations: the workspace's words are not the asker's.
 */
export const eraseAskersConversations: ErasureHook = async (tx, events) => {
  for (const e of events) {
    const subjectId = String((e.data as { subjectId: string }).subjectId);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(subjectId)) continue;
    await tx.query(`UPDATE knowledge_ai_conversations_view SET title = $2 WHERE user_id = $1`, [subjectId, ERASED]);
    await tx.query(
      `UPDATE knowledge_ai_messages_view m
          SET content = $2,
              function_calls = coalesce((
                SELECT jsonb_agg(CASE WHEN jsonb_typeof(fc->'arguments') = 'object' AND fc->'arguments' ? 'q'
                                      THEN jsonb_set(fc, '{arguments,q}', to_jsonb($2::text)) ELSE fc END ORDER BY i)
                  FROM jsonb_array_elements(m.function_calls) WITH ORDINALITY AS f(fc, i)), m.function_calls)
        WHERE m.conversation_id IN (SELECT id FROM knowledge_ai_conversations_view WHERE user_id = $1)
          AND m.role IN ('user', 'assistant')`,
      [subjectId, ERASED],
    );
  }
};
