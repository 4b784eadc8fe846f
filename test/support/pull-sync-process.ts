/**
 * A stand-alone pull sync process for the kill -9 test: builds the ingestion writers and a sync
 * runner from plain classes (tsx has no decorator metadata, so no Nest DI), runs one sync of a
 * source and prints `DONE <summary>`. Usage:
 *   node --import tsx test/support/pull-sync-process.ts <databaseUrl> <sourceId> <SECRETS_KEYS>
 */
import { loadAppConfig } from '@app/config/app-config';
import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { parseSecretKeys } from '@libs/common/crypto/secret-keys';
import { OutboundGuard } from '@libs/common/net/outbound-guard';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { PersonalDataCipher } from '@libs/event-store/personal-data-cipher';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { SnapshotStore } from '@libs/eventsourcing/snapshot-store';
import { OAuthTokenVault } from '@modules/identity/infrastructure/oauth-token-vault';
import { StoredOAuthAccessTokens } from '@test/support/stored-oauth-access-tokens';
import { PullSource } from '@modules/ingestion/application/pull-sync/sync-runner';
import { createSyncRunners } from '@modules/ingestion/application/pull-sync/sync-runner.registry';
import { sourceContactPersonalData } from '@modules/ingestion/domain/conversation.events';
import { messagePersonalData } from '@modules/ingestion/domain/message/message.events';
import { ConversationWriter } from '@modules/ingestion/infrastructure/conversation-writer';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { MessageWriter } from '@modules/ingestion/infrastructure/message-writer';
import { SourceCredentials } from '@modules/ingestion/infrastructure/source-credentials';
import { ConversationsProjection } from '@modules/ingestion/projections/conversations.projection';
import { SourceContactsProjection } from '@modules/ingestion/projections/source-contacts.projection';
import { JobsProjection } from '@modules/ingestion/projections/jobs.projection';
import { MessagesProjection } from '@modules/ingestion/projections/messages.projection';
import { SourcesProjection } from '@modules/ingestion/projections/sources.projection';

async function main(): Promise<void> {
  const [url, sourceId, keys] = process.argv.slice(2);
  const pool = new Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  const box = new SecretBox(parseSecretKeys(keys));
  // The same event types, personal data and inline read models as the app's ingestion module.
  const registry = new EventTypeRegistry();
  for (const [type, spec] of Object.entries({ ...messagePersonalData, ...sourceContactPersonalData })) registry.personalData(type, spec);
  const projections = new ProjectionRegistry();
  projections.register(new SourcesProjection(), new MessagesProjection(), new JobsProjection(), new ConversationsProjection(), new SourceContactsProjection());
  const store = new PostgresEventStore(pool, { registry, namedStatements: true, personalData: new PersonalDataCipher(box) });
  const guard = new OutboundGuard({ allowList: '127.0.0.1' });
  const runners = createSyncRunners({
    pool,
    writer: new MessageWriter(pool, store),
    aggregates: new IngestionAggregates(new EventSourcedCommandHandler(store, { pool, registry: projections }), new SnapshotStore(pool)),
    credentials: new SourceCredentials(box, new EncryptedColumns(), loadAppConfig({ NODE_ENV: 'test' })),
    conversations: new ConversationWriter(pool, store),
    // The fake providers of the tests listen on 127.0.0.1: the outbound guard refuses it unless allowed.
    http: { guard },
    // The test's fake Slack (the app reads SLACK_API_BASE_URL the same way).
    slackApiBase: process.env.SLACK_API_BASE_URL,
    // Linked accounts' tokens as stored (never refreshed here), and the test's fake providers.
    oauthTokens: new StoredOAuthAccessTokens(new OAuthTokenVault(pool, box, new EncryptedColumns())),
    gmailApiBase: process.env.GMAIL_API_BASE_URL,
    graphApiBase: process.env.GRAPH_API_BASE_URL,
    fathomApiBase: process.env.FATHOM_API_BASE_URL,
  });
  const row = (await pool.query(`SELECT * FROM ingestion_sources_view WHERE id = $1`, [sourceId])).rows[0];
  const source: PullSource = { id: row.id, workspaceId: row.workspace_id, kind: row.kind, credentialsCiphertext: row.credentials_ciphertext, config: row.config };
  const meta = { commandId: uuidv7(), workspaceId: source.workspaceId, actorId: null, correlationId: uuidv7(), now: new Date() };
  const handle = await runners[source.kind].open(source, { meta });
  process.stdout.write(`JOB ${handle.jobId}\n`);
  const summary = await runners[source.kind].execute(handle);
  process.stdout.write(`DONE ${JSON.stringify(summary)}\n`);
  await guard.close();
  await pool.end();
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
