import { Global, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { registerErrorStatuses } from '@libs/common/http/error-status.registry';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { AtomsHandler } from './application/atoms/atoms.handler';
import { AtomsHttpController } from './application/atoms/atoms.http.controller';
import { GraphConsumersRegistrar } from './application/atoms/graph-consumers.registrar';
import { MessageTopicsHandler } from './application/topic-classification/message-topics.handler';
import { MessageTopicsHttpController } from './application/topic-classification/message-topics.http.controller';
import { TopicClassificationSchedule } from './application/topic-classification/topic-classification.schedule';
import { TopicClassifier } from './application/topic-classification/topic-classifier';
import { KnowledgeTopicsReader } from './application/topics/knowledge-topics.reader';
import { TopicsHandler } from './application/topics/topics.handler';
import { KnowledgeTopics } from './contracts/knowledge-topics';
import { TopicsHttpController } from './application/topics/topics.http.controller';
import { KnowledgeGraphAggregates } from './infrastructure/knowledge-graph.aggregates';
import { knowledgeGraphErrorStatuses } from './infrastructure/knowledge-graph.errors.http';
import { KnowledgeGraphQueries } from './infrastructure/knowledge-graph.queries';
import { AtomLinksProjection } from './projections/atom-links.projection';
import { AtomVersionsProjection } from './projections/atom-versions.projection';
import { AtomsProjection } from './projections/atoms.projection';
import { MessageTopicsProjection } from './projections/message-topics.projection';
import { TopicAtomsProjection } from './projections/topic-atoms.projection';
import { TopicVersionsProjection } from './projections/topic-versions.projection';
import { TopicsProjection } from './projections/topics.projection';

registerErrorStatuses(knowledgeGraphErrorStatuses);

/** The graph's read models: all inline (the API reads its own writes), all rebuildable from the log. */
@Injectable()
class KnowledgeGraphProjections implements OnModuleInit {
  constructor(private readonly projections: ProjectionRegistry) {}

  onModuleInit(): void {
    this.projections.register(
      new TopicsProjection(),
      new TopicVersionsProjection(),
      new TopicAtomsProjection(),
      new AtomsProjection(),
      new AtomVersionsProjection(),
      new AtomLinksProjection(),
      new MessageTopicsProjection(),
    );
  }
}

/** The read models alone: the app, and the CLI (`npm run cli -- projections rebuild knowledge.topic-versions`). */
@Module({ providers: [KnowledgeGraphProjections] })
export class KnowledgeGraphProjectionsModule {}

/** The KnowledgeTopics contract for any module (analysis reads topics as a label set). */
@Global()
@Module({ providers: [KnowledgeTopicsReader, { provide: KnowledgeTopics, useExisting: KnowledgeTopicsReader }], exports: [KnowledgeTopics] })
export class KnowledgeTopicsContractModule {}

/**
 * Topics and atoms with versions (list, diff, approve), memberships, links; semantic search over
 * atoms; messages classified to topics. Embeddings of topics and atoms come from the
 * `knowledge.graph-embeddings` consumer; classification from a scheduled pass (and right after a
 * topic is embedded); a deleted message leaves its topics (`knowledge.message-topics-cleanup`).
 */
@Module({
  imports: [KnowledgeGraphProjectionsModule, KnowledgeTopicsContractModule],
  controllers: [TopicsHttpController, AtomsHttpController, MessageTopicsHttpController],
  providers: [
    KnowledgeGraphAggregates,
    KnowledgeGraphQueries,
    TopicsHandler,
    AtomsHandler,
    MessageTopicsHandler,
    TopicClassifier,
    TopicClassificationSchedule,
    GraphConsumersRegistrar,
  ],
  exports: [TopicClassifier, KnowledgeGraphQueries],
})
export class KnowledgeGraphModule {}
