import { MigrationInterface, QueryRunner } from 'typeorm';

/** pgvector is required (embeddings); failing here tells an operator at once that the server lacks it. */
export class Extensions1764086300000 implements MigrationInterface {
  name = 'Extensions1764086300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS vector`);
  }

  async down(): Promise<void> {
    // Other databases objects may depend on the extension: never dropped automatically.
  }
}
