import { MigrationInterface, QueryRunner } from 'typeorm';

/** Knowledge: topics, atoms, versions, memberships, links, message topics (read models). */
export class KnowledgeGraph1764086401300 implements MigrationInterface {
  name = 'KnowledgeGraph1764086401300';

  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  async up(q: QueryRunner): Promise<void> {}

  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  async down(q: QueryRunner): Promise<void> {}
}
