import { EventStore1764086400000 } from './1764086400000-event-store';
import { CoordinationLeases1764086400100 } from './1764086400100-coordination-leases';

/** Every migration in order. Never edit one that has landed: add a new one. */
export const allMigrations = [EventStore1764086400000, CoordinationLeases1764086400100];
