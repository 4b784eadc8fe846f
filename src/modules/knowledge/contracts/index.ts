export * from './knowledge.integration-events';
export * from './knowledge-embeddings';
export * from './knowledge-search';
export * from './knowledge-topics';
