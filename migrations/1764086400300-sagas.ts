import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sagas / process managers: one durable state row per instance, deadlines written in the same
 * transaction as the state (so they survive a restart), and an outbox of the commands a saga
 * decided to send, keyed by a deterministic id derived from the causing event or deadline (a
 * redelivered event inserts nothing new; a re-dispatched command is deduplicated downstream by
 * the same id used as its idempotency key).
 */
export class Sagas1764086400300 implements MigrationInterface {
  name = 'Sagas1764086400300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE saga_instances (
        saga         text NOT NULL,
        instance_id  text NOT NULL,
        workspace_id uuid,
        status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed')),
        state        jsonb,
        version      integer NOT NULL DEFAULT 0,
        last_tx      xid8 NOT NULL,
        last_pos     bigint NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (saga, instance_id)
      )`);
    await q.query(`CREATE INDEX saga_instances_status_idx ON saga_instances (saga, status, updated_at DESC)`);
    await q.query(`
      CREATE TABLE saga_deadlines (
        id           uuid PRIMARY KEY,
        saga         text NOT NULL,
        instance_id  text NOT NULL,
        name         text NOT NULL,
        due_at       timestamptz NOT NULL,
        data         jsonb NOT NULL DEFAULT '{}'::jsonb,
        status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fired', 'cancelled', 'failed')),
        attempts     integer NOT NULL DEFAULT 0,
        last_error   text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        fired_at     timestamptz
      )`);
    // One pending deadline of a name per instance: scheduling it again moves it.
    await q.query(`CREATE UNIQUE INDEX saga_deadlines_pending_uq ON saga_deadlines (saga, instance_id, name) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX saga_deadlines_due_idx ON saga_deadlines (saga, due_at) WHERE status = 'pending'`);
    await q.query(`
      CREATE TABLE saga_commands (
        command_id      uuid PRIMARY KEY,
        saga            text NOT NULL,
        instance_id     text NOT NULL,
        workspace_id    uuid,
        correlation_id  text,
        causation_id    text NOT NULL,
        command_type    text NOT NULL,
        data            jsonb NOT NULL,
        status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'dispatched', 'rejected', 'failed')),
        attempts        integer NOT NULL DEFAULT 0,
        last_error      text,
        result          jsonb,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        created_at      timestamptz NOT NULL DEFAULT now(),
        dispatched_at   timestamptz
      )`);
    await q.query(`CREATE INDEX saga_commands_pending_idx ON saga_commands (saga, next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX saga_commands_instance_idx ON saga_commands (saga, instance_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS saga_commands, saga_deadlines, saga_instances`);
  }
}
