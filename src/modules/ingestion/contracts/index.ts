export * from './ingestion.integration-events';
export * from './file-imports';
export * from './message-texts';
export * from './message-window';
