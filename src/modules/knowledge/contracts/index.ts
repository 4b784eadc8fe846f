export * from './knowledge.integration-events';
