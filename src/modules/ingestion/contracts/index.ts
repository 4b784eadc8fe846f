export * from './ingestion.integration-events';
