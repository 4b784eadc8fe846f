import { ErasureHook } from '@libs/event-store/data-subjects';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An erased owner's agents forget what they were told and answered, in the erasure's transaction:
 * the read models now say what a rebuild reads from the log (aiAgentsPersonalData: the prompt,
 * the memory, the executions' input and output read '[erased]'; a memory that is not one reads
 * as empty). The agents stop running because an erased user is no member (WorkspaceMembers).
 */
export const eraseAgentOwners: ErasureHook = async (tx, events) => {
  for (const e of events) {
    const subjectId = String((e.data as { subjectId: string }).subjectId);
    if (!UUID.test(subjectId)) continue;
    await tx.query(
      `UPDATE analysis_ai_agents_view
          SET memory = '{"entries":{}}'::jsonb, config = jsonb_set(config, '{prompt}', to_jsonb('[erased]'::text))
        WHERE user_id = $1`,
      [subjectId],
    );
    await tx.query(
      `UPDATE analysis_agent_executions_view
          SET input = to_jsonb('[erased]'::text), output = CASE WHEN output IS NULL THEN NULL ELSE to_jsonb('[erased]'::text) END
        WHERE user_id = $1`,
      [subjectId],
    );
  }
};
