import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { SessionEvent } from '@modules/identity/domain/session/session.decider';
import { SessionsProjection } from '@modules/identity/projections/sessions.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const sessionId = '0193a000-0000-7000-8000-0000000000d1';
const userId = '0193a000-0000-7000-8000-000000000001';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const expiresAt = '2026-12-27T10:00:00.000Z';
const started: SessionEvent = { type: 'identity.session-started', data: { sessionId, userId, tokenHash: 'h1', expiresAt, userAgent: 'curl/8', ip: '10.0.0.1', at } };
const session = { id: sessionId, user_id: userId, user_agent: 'curl/8', active_workspace_id: null, created_at: at, last_seen_at: at, expires_at: expiresAt, revoked_at: null, revoke_reason: null };

describe('SessionsProjection (identity_sessions_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<SessionEvent>(new SessionsProjection(), () => db.pool);

  it('starts a session (the token hash stays in the log)', async () => {
    await spec.given([]).when([started]).then([session]);
  });

  it('a refresh moves last seen; selecting a workspace makes it active', async () => {
    await spec
      .given([started])
      .when([
        { type: 'identity.session-refreshed', data: { sessionId, userId, tokenHash: 'h2', at: later } },
        { type: 'identity.session-workspace-selected', data: { sessionId, userId, workspaceId, at: later } },
      ])
      .then([{ ...session, last_seen_at: later, active_workspace_id: workspaceId }]);
  });

  it('revokes with the reason', async () => {
    await spec
      .given([started])
      .when([{ type: 'identity.session-revoked', data: { sessionId, userId, reason: 'refresh-token-reuse', at: later } }])
      .then([{ ...session, revoked_at: later, revoke_reason: 'refresh-token-reuse' }]);
  });

  it('a redelivered refresh changes nothing; events of an unknown session create nothing', async () => {
    const refreshed: SessionEvent = { type: 'identity.session-refreshed', data: { sessionId, userId, tokenHash: 'h2', at: later } };
    await spec.given([started, refreshed]).when([refreshed]).then([{ ...session, last_seen_at: later }]);
    await spec.given([]).when([refreshed]).then([]);
  });
});
