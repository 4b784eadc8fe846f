import { DynamicModule, Module } from '@nestjs/common';
import { AiModule } from '@libs/ai/ai.module';
import { CryptoModule } from '@libs/common/crypto/crypto.module';
import { DatabaseModule } from '@libs/database/database.module';
import { EventStoreModule } from '@libs/event-store/event-store.module';
import { EventSourcingModule } from '@libs/eventsourcing/eventsourcing.module';
import { ScheduleModule } from '@nestjs/schedule';
import { allMigrations } from '@migrations/index';
import { AppConfig } from '@config/app-config';
import { AppConfigModule } from '@config/config.module';
import { aiSettings } from '@app/app.module';
import { ImportCommand } from './import.command';
import { KnowledgeCommand } from './knowledge.command';
import { MigrateCommand } from './migrate.command';
import { PartitionsCommand } from './partitions.command';
import { ProjectionsCommand } from './projections.command';
import { SecretsCommand } from './secrets.command';
import { SubjectsCommand } from './subjects.command';
import { AiAgentsProjectionsModule } from '@modules/analysis/ai-agents.module';
import { AnalysisConfigurationProjectionsModule } from '@modules/analysis/analysis-configuration.module';
import { AnalysisRunsProjectionsModule } from '@modules/analysis/analysis-runs.module';
import { AnalysisUsageProjectionsModule } from '@modules/analysis/analysis-usage.module';
import { AuditProjectionsModule } from '@modules/audit/audit-projections.module';
import { IdentityProjectionsModule } from '@modules/identity/identity.module';
import { IngestionCoreModule, IngestionProjectionsModule } from '@modules/ingestion/ingestion.module';
import { KnowledgeAskProjectionsModule } from '@modules/knowledge/knowledge-ask.module';
import { KnowledgeGraphProjectionsModule } from '@modules/knowledge/knowledge-graph.module';
import { KnowledgeSearchCoreModule } from '@modules/knowledge/knowledge-search.module';

/** The admin CLI: the same modules as the app, without HTTP and without start-up migrations. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        AppConfigModule.forRoot(config),
        CryptoModule.forRoot({ keys: config.SECRETS_KEYS, databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, nodeEnv: config.NODE_ENV }),
        DatabaseModule.forRoot({
          databaseUrl: config.DATABASE_URL,
          dataDir: config.DATA_DIR,
          embeddedPort: config.EMBEDDED_DB_PORT,
          poolSize: 4,
          // Only `migrate` changes the schema, and it says what it applied.
          runMigrationsOnStart: false,
          migrations: allMigrations,
        }),
        EventStoreModule.forRoot({ partitionMonthsAhead: config.EVENTS_PARTITION_MONTHS_AHEAD, maintainPartitions: false }),
        ScheduleModule.forRoot(),
        // The CLI never runs consumers itself; it only rebuilds or inspects them.
        EventSourcingModule.forRoot({ enabled: false }),
        AuditProjectionsModule,
        // Identity's read models (rebuilds) and its encrypted columns (secrets rotate).
        IdentityProjectionsModule,
        IngestionProjectionsModule,
        // `import <file>`: the import runner and file readers, without the HTTP controllers.
        IngestionCoreModule,
        // `knowledge reembed | status`: the embedder (metered like the app's), the embedding space and worker.
        AiModule.forRoot(aiSettings(config)),
        KnowledgeSearchCoreModule,
        // Ask's conversation views: rebuilds, and erasures that scrub the asker's questions.
        KnowledgeAskProjectionsModule,
        // Topics, atoms, their versions, memberships, links and message topics: rebuilds.
        KnowledgeGraphProjectionsModule,
        // Analysis configuration: rebuilds, and the providers' sealed API keys (secrets rotate).
        AnalysisConfigurationProjectionsModule,
        // Analysis runs, batches, proposals, tasks and the people they name: rebuilds, erasure.
        AnalysisRunsProjectionsModule,
        // Analysis budgets (analysis.llm-budgets): rebuilds.
        AnalysisUsageProjectionsModule,
        // Experiments, AI agents and their executions: rebuilds, and the agents' events kept private to their owner.
        AiAgentsProjectionsModule,
      ],
      providers: [MigrateCommand, PartitionsCommand, ...PartitionsCommand.providers, ProjectionsCommand, ...ProjectionsCommand.providers, SecretsCommand, ...SecretsCommand.providers, SubjectsCommand, ...SubjectsCommand.providers, ImportCommand, KnowledgeCommand, ...KnowledgeCommand.providers],
    };
  }
}
