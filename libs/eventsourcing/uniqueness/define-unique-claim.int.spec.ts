import { v7 as uuidv7 } from 'uuid';
import { ApplicationError } from '@libs/common/errors/application-error';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { testMetadata, useEventStoreTestbed } from '@test/support/event-store-testbed';
import { defineUniqueClaim } from './define-unique-claim';

class HandleTaken extends ApplicationError {
  readonly code = 'TEST.HANDLE_TAKEN';
}

const handles = defineUniqueClaim('test-handle', { taken: (handle) => new HandleTaken(`The handle ${handle} is taken`) });
const accounts = defineUniqueClaim('test-account', {
  key: ({ kind, externalId }: { kind: string; externalId: string }) => `${kind}:${externalId}`,
  taken: ({ kind }) => new HandleTaken(`This ${kind} account is taken`),
});

describe('defineUniqueClaim', () => {
  const bed = useEventStoreTestbed(8);

  const meta = (overrides: Partial<CommandMetadata> = {}) => testMetadata({ workspaceId: null, ...overrides });

  it("claims a value once: the owner again is a no-op, another owner gets the scope's error", async () => {
    const claims = handles.bind(bed.handler);
    const value = `ada-${uuidv7()}`;
    await expect(claims.claim(value, 'owner-1', meta())).resolves.toBe(true);
    await expect(claims.claim(value, 'owner-1', meta())).resolves.toBe(false);
    const taken = claims.claim(value, 'owner-2', meta());
    await expect(taken).rejects.toBeInstanceOf(HandleTaken);
    await expect(taken).rejects.toThrow(`The handle ${value} is taken`);
  });

  it('frees a value only for its owner, and anyone may claim it again', async () => {
    const claims = handles.bind(bed.handler);
    const value = `bob-${uuidv7()}`;
    await claims.claim(value, 'owner-1', meta());
    await expect(claims.release(value, 'owner-2', meta())).resolves.toBe(false);
    await expect(claims.claim(value, 'owner-2', meta())).rejects.toBeInstanceOf(HandleTaken);
    await expect(claims.release(value, 'owner-1', meta())).resolves.toBe(true);
    await expect(claims.claim(value, 'owner-2', meta())).resolves.toBe(true);
    const events = (await bed.store.readStream(handles.streamId(value))).events;
    expect(events.map((e) => [e.type, e.streamType])).toEqual([
      ['uniqueness.value-claimed', 'unique-claim'],
      ['uniqueness.value-released', 'unique-claim'],
      ['uniqueness.value-claimed', 'unique-claim'],
    ]);
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const claims = handles.bind(bed.handler);
    const value = `race-${uuidv7()}`;
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => claims.claim(value, `owner-${i}`, meta())));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(HandleTaken);
  });

  it('keys a structured value, and its stream id names a hash, never the value', async () => {
    const claims = accounts.bind(bed.handler);
    const externalId = `T-${uuidv7()}`;
    await claims.claim({ kind: 'slack', externalId }, 'source-1', meta());
    await expect(claims.claim({ kind: 'slack', externalId }, 'source-2', meta())).rejects.toThrow('This slack account is taken');
    await expect(claims.claim({ kind: 'gong', externalId }, 'source-2', meta())).resolves.toBe(true);
    const streamId = accounts.streamId({ kind: 'slack', externalId });
    expect(streamId).toMatch(/^unique-test-account-[0-9a-f]{64}$/);
    expect(streamId).not.toContain(externalId);
  });

  it("never honours the request's If-Match or Idempotency-Key", async () => {
    const claims = handles.bind(bed.handler);
    const value = `cy-${uuidv7()}`;
    await expect(claims.claim(value, 'owner-1', meta({ expectedVersion: 5, idempotencyKey: 'k-1' }))).resolves.toBe(true);
    // A stored answer under the key would have made this a duplicate instead of a refusal.
    await expect(claims.claim(value, 'owner-2', meta({ idempotencyKey: 'k-1' }))).rejects.toBeInstanceOf(HandleTaken);
  });
});
