import { Module } from '@nestjs/common';

/** Topics and atoms with versions (list, diff, approve), memberships, links; semantic search over atoms; messages classified to topics. */
@Module({})
export class KnowledgeGraphModule {}
