import { Module } from '@nestjs/common';

/** Chunks of messages, their embeddings (lifecycle, retries, re-embedding) and search (full-text, semantic, hybrid), evidence items. */
@Module({})
export class KnowledgeSearchModule {}
