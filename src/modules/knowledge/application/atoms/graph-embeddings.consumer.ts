import { Embedder } from '@libs/ai/embedder';
import { RowEmbeddingConfig, RowEmbeddingConsumer } from '@libs/ai/row-embeddings/row-embedding.consumer';
import { ConsumerDeps, ConsumerOptions } from '@libs/eventsourcing/subscriptions/batched-consumer';

export const GRAPH_EMBEDDINGS_CONSUMER = 'knowledge.graph-embeddings';

/**
 * Topics (name + description) and atoms (title + content) embedded into their view rows, with
 * the Embedder (workflow `knowledge.atoms`), on the events that change what they are about.
 */
export const GRAPH_EMBEDDINGS: RowEmbeddingConfig = {
  name: GRAPH_EMBEDDINGS_CONSUMER,
  workflow: 'knowledge.atoms',
  kinds: [
    {
      kind: 'topic',
      table: 'knowledge_topics_view',
      text: `name || E'\\n' || description`,
      where: 'archived_at IS NULL',
      eventTypes: ['knowledge.topic-created', 'knowledge.topic-updated'],
      idField: 'topicId',
      node: 'embed-topics',
    },
    {
      kind: 'atom',
      table: 'knowledge_atoms_view',
      text: `title || E'\\n' || content`,
      where: 'archived_at IS NULL',
      eventTypes: ['knowledge.atom-created', 'knowledge.atom-updated'],
      idField: 'atomId',
      node: 'embed-atoms',
    },
  ],
};

/** The graph's embedding consumer; `onTopicsEmbedded` runs after topics got a new embedding (their messages are classified again). */
export function graphEmbeddingsConsumer(deps: ConsumerDeps, options: ConsumerOptions, embedder: Embedder, onTopicsEmbedded: () => void): RowEmbeddingConsumer {
  return new RowEmbeddingConsumer(deps, options, embedder, GRAPH_EMBEDDINGS, (kinds) => {
    if (kinds.has('topic')) onTopicsEmbedded();
  });
}
