import { Module } from '@nestjs/common';
import { KnowledgeAskModule } from './knowledge-ask.module';
import { KnowledgeGraphModule } from './knowledge-graph.module';
import { KnowledgeSearchModule } from './knowledge-search.module';

/**
 * Knowledge: what the workspace's conversations know. Chunks and embeddings of every message
 * (a durable consumer of `ingestion.message-*` events), search, Ask with citations, and the
 * curated graph of topics and atoms with versions.
 */
@Module({ imports: [KnowledgeSearchModule, KnowledgeAskModule, KnowledgeGraphModule] })
export class KnowledgeModule {}
