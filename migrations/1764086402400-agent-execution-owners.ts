import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each execution names its agent's owner, so an erasure finds the executions of an owner whose
 * agent was deleted (the agent's row is gone, its executions stay).
 */
export class AgentExecutionOwners1764086402400 implements MigrationInterface {
  name = 'AgentExecutionOwners1764086402400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE analysis_agent_executions_view ADD COLUMN user_id uuid`);
    await q.query(`UPDATE analysis_agent_executions_view x SET user_id = a.user_id FROM analysis_ai_agents_view a WHERE a.id = x.agent_id`);
    await q.query(`CREATE INDEX analysis_executions_owner_idx ON analysis_agent_executions_view (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE analysis_agent_executions_view DROP COLUMN user_id`);
  }
}
