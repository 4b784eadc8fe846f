export * from './event-store.types';
export * from './concurrency.error';
export * from './event-type-registry';
export * from './postgres-event-store';
export * from './event-partitions';
