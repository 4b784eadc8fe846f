import { SECRET_WITHHELD, visibleEventsPredicate, withholdSecrets } from './audit-visibility';
import { EventTypeRegistry } from './event-type-registry';

describe('audit visibility', () => {
  it('withholds declared paths, nested and inside arrays, without touching the input', () => {
    const payload = { userId: 'u', passwordHash: 'argon2id$...', keys: [{ keyHash: 'a' }, { keyHash: 'b', name: 'n' }], absent: null };
    const out = withholdSecrets(payload, ['passwordHash', 'keys.keyHash', 'absent', 'missing.path']);
    expect(out).toEqual({ userId: 'u', passwordHash: SECRET_WITHHELD, keys: [{ keyHash: SECRET_WITHHELD }, { keyHash: SECRET_WITHHELD, name: 'n' }], absent: null });
    expect(payload.passwordHash).toBe('argon2id$...');
  });

  it('builds one predicate per owner path, binding every value (no SQL from declarations)', () => {
    const values: unknown[] = [];
    const param = (v: unknown, cast: string) => (values.push(v), `$${values.length}::${cast}`);
    const sql = visibleEventsPredicate(new Map([['userId', ['a.started', 'a.added']], ['owner.id', ['b.x']]]), { userId: 'u1' }, param, 'events');
    expect(sql).toBe(
      'coalesce(events.event_type <> ALL($2::text[]) OR (events.payload #>> $3::text[]) = $1::text, false) AND coalesce(events.event_type <> ALL($4::text[]) OR (events.payload #>> $5::text[]) = $1::text, false)',
    );
    expect(values).toEqual(['u1', ['a.started', 'a.added'], ['userId'], ['b.x'], ['owner', 'id']]);
    expect(visibleEventsPredicate(new Map(), { userId: 'u1' }, param)).toBeNull();
  });

  it('registers declarations once per type, merging secret fields, and refuses an encrypted owner or a second owner', () => {
    const registry = new EventTypeRegistry();
    registry.personalData('chat.started', { subject: 'userId', fields: ['title'] });
    registry.auditVisibility('chat.started', { privateTo: 'userId' }).auditVisibility('chat.started', { secretFields: ['token'] });
    registry.auditVisibility('chat.started', { secretFields: ['token', 'salt'] });
    expect(registry.listAuditVisibility()).toEqual([{ type: 'chat.started', privateTo: 'userId', secretFields: ['token', 'salt'] }]);
    expect(registry.privateTypesByOwnerPath()).toEqual(new Map([['userId', ['chat.started']]]));
    expect(() => registry.auditVisibility('chat.started', { privateTo: 'ownerId' })).toThrow(/private to "userId" and "ownerId"/);
    expect(() => registry.auditVisibility('chat.started', { privateTo: 'title' })).toThrow(/private to/);
    registry.personalData('chat.renamed', { subject: 'userId', fields: ['owner'] });
    expect(() => registry.auditVisibility('chat.renamed', { privateTo: 'owner.id' })).toThrow(/personal \(encrypted\) field/);
    expect(() => registry.auditVisibility('chat.renamed', { secretFields: ['bad path'] })).toThrow(/not a path/);
  });
});
