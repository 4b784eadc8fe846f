import { MigrationInterface, QueryRunner } from 'typeorm';

/** Knowledge: Ask conversations and their messages (read models). */
export class KnowledgeConversations1764086401200 implements MigrationInterface {
  name = 'KnowledgeConversations1764086401200';

  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  async up(q: QueryRunner): Promise<void> {}

  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  async down(q: QueryRunner): Promise<void> {}
}
