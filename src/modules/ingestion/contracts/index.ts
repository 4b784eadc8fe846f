export * from './ingestion.integration-events';
export * from './file-imports';
export * from './message-window';
