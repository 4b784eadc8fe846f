import { MigrationInterface, QueryRunner } from 'typeorm';

/** Knowledge: RAG chunks of messages, the embedding cache, evidence items. */
export class KnowledgeChunks1764086401100 implements MigrationInterface {
  name = 'KnowledgeChunks1764086401100';

  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  async up(q: QueryRunner): Promise<void> {}

  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  async down(q: QueryRunner): Promise<void> {}
}
