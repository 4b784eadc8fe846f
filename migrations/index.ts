import { Extensions1764086300000 } from './1764086300000-extensions';
import { EventStore1764086400000 } from './1764086400000-event-store';
import { CoordinationLeases1764086400100 } from './1764086400100-coordination-leases';
import { EventSourcingRuntime1764086400200 } from './1764086400200-eventsourcing-runtime';
import { Sagas1764086400300 } from './1764086400300-sagas';
import { Jobs1764086400400 } from './1764086400400-jobs';
import { DataSubjects1764086400500 } from './1764086400500-data-subjects';
import { Identity1764086400600 } from './1764086400600-identity';
import { LinkedIdentities1764086400700 } from './1764086400700-linked-identities';
import { Ingestion1764086400800 } from './1764086400800-ingestion';
import { Noise1764086400900 } from './1764086400900-noise';
import { AiUsage1764086401000 } from './1764086401000-ai-usage';
import { KnowledgeChunks1764086401100 } from './1764086401100-knowledge-chunks';
import { KnowledgeConversations1764086401200 } from './1764086401200-knowledge-conversations';
import { KnowledgeGraph1764086401300 } from './1764086401300-knowledge-graph';
import { IdempotencyScope1764086401400 } from './1764086401400-idempotency-scope';
import { ConnectorHardening1764086401500 } from './1764086401500-connector-hardening';
import { IdentityHardening1764086401600 } from './1764086401600-identity-hardening';
import { ImportCounters1764086401700 } from './1764086401700-import-counters';
import { KnowledgeSearchTuning1764086401950 } from './1764086401950-knowledge-search-tuning';
import { AnalysisConfiguration1764086402000 } from './1764086402000-analysis-configuration';
import { AnalysisRuns1764086402100 } from './1764086402100-analysis-runs';
import { AnalysisUsage1764086402200 } from './1764086402200-analysis-usage';
import { AnalysisAgents1764086402300 } from './1764086402300-analysis-agents';
import { PullSyncScheduling1764086403400 } from './1764086403400-pull-sync-scheduling';

/** Every migration in order. Never edit one that has landed: add a new one. */
export const allMigrations = [Extensions1764086300000, EventStore1764086400000, CoordinationLeases1764086400100, EventSourcingRuntime1764086400200, Sagas1764086400300, Jobs1764086400400, DataSubjects1764086400500, Identity1764086400600, LinkedIdentities1764086400700, Ingestion1764086400800, Noise1764086400900, AiUsage1764086401000, KnowledgeChunks1764086401100, KnowledgeConversations1764086401200, KnowledgeGraph1764086401300, IdempotencyScope1764086401400, ConnectorHardening1764086401500, IdentityHardening1764086401600, ImportCounters1764086401700, KnowledgeSearchTuning1764086401950, AnalysisConfiguration1764086402000, AnalysisRuns1764086402100, AnalysisUsage1764086402200, AnalysisAgents1764086402300, PullSyncScheduling1764086403400];
