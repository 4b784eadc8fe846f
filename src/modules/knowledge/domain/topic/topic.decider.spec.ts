import { ValidationFailedError } from '@libs/common/errors/application-error';
import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { KnowledgeGraphError, KnowledgeGraphErrorCode as Code } from '@modules/knowledge/domain/knowledge-graph/knowledge-graph.errors';
import { topicDecider } from './topic.decider';
import { TopicEvent } from './topic.events';

const now = new Date('2026-11-25T10:00:00Z');
const at = now.toISOString();
const ws = '0190f0f0-0000-7000-8000-000000000001';
const topicId = '0190f0f0-0000-7000-8000-0000000000aa';
const atomId = '0190f0f0-0000-7000-8000-0000000000bb';
const created: TopicEvent = {
  type: 'knowledge.topic-created',
  data: { topicId, workspaceId: ws, version: 1, name: 'Billing', description: 'Invoices and refunds', icon: 'credit-card', color: '#3b82f6', at },
};
const updated = (version: number, changes: Partial<{ name: string; description: string; icon: string | null; color: string | null }>, changed: string[]): TopicEvent => ({
  type: 'knowledge.topic-updated',
  data: { topicId, version, name: 'Billing', description: 'Invoices and refunds', icon: 'credit-card', color: '#3b82f6', ...changes, changed: changed as never, at },
});
const expectCode = (code: Code) => (e: KnowledgeGraphError) => expect(e.code).toBe(code);

describe('topic decider', () => {
  const spec = DeciderSpecification(topicDecider);

  it('creates version 1, normalising the colour (a Tailwind name becomes hex)', () => {
    spec
      .given([])
      .when({ kind: 'create', topicId, workspaceId: ws, name: '  Billing ', description: 'Invoices and refunds', icon: 'credit-card', color: 'blue', now })
      .then([created]);
  });

  it('picks an icon and a colour from the name when none is given; null means none', () => {
    const [e] = [topicDecider.decide({ kind: 'create', topicId, workspaceId: ws, name: 'Refund requests', now }, topicDecider.initialState())].flat();
    expect(e.data).toEqual(expect.objectContaining({ icon: 'credit-card', color: expect.stringMatching(/^#[0-9a-f]{6}$/), description: '' }));
    const [none] = [topicDecider.decide({ kind: 'create', topicId, workspaceId: ws, name: 'X', icon: null, color: null, now }, topicDecider.initialState())].flat();
    expect(none.data).toEqual(expect.objectContaining({ icon: null, color: null }));
  });

  it('refuses an invalid colour or an empty name', () => {
    spec.given([]).when({ kind: 'create', topicId, workspaceId: ws, name: 'Billing', color: 'not-a-color', now }).thenThrows(ValidationFailedError);
    spec.given([]).when({ kind: 'create', topicId, workspaceId: ws, name: '   ', now }).thenThrows(ValidationFailedError);
  });

  it('an update is the next version with the full snapshot and the fields that changed', () => {
    spec
      .given([created])
      .when({ kind: 'update', workspaceId: ws, changes: { description: 'Invoices, refunds and plans', color: '#FF0000' }, now })
      .then([updated(2, { description: 'Invoices, refunds and plans', color: '#ff0000' }, ['description', 'color'])]);
    spec.given([created, updated(2, { name: 'Payments' }, ['name'])]).when({ kind: 'update', workspaceId: ws, changes: { icon: null }, now }).then([updated(3, { name: 'Payments', icon: null }, ['icon'])]);
  });

  it('an update that changes nothing is no new version', () => {
    spec.given([created]).when({ kind: 'update', workspaceId: ws, changes: { name: 'Billing', color: 'blue-500' }, now }).thenNothingHappened();
  });

  it('approves an existing version once; an unknown version is not found', () => {
    spec.given([created]).when({ kind: 'approve', workspaceId: ws, version: 1, now }).then([{ type: 'knowledge.topic-version-approved', data: { topicId, version: 1, at } }]);
    spec.given([created, { type: 'knowledge.topic-version-approved', data: { topicId, version: 1, at } }]).when({ kind: 'approve', workspaceId: ws, version: 1, now }).thenNothingHappened();
    spec.given([created]).when({ kind: 'approve', workspaceId: ws, version: 2, now }).thenThrows(KnowledgeGraphError, expectCode(Code.VersionNotFound));
  });

  it("another workspace's topic is not found", () => {
    spec.given([created]).when({ kind: 'update', workspaceId: '0190f0f0-0000-7000-8000-000000000002', changes: { name: 'X' }, now }).thenThrows(KnowledgeGraphError, expectCode(Code.TopicNotFound));
    spec.given([]).when({ kind: 'archive', workspaceId: ws, now }).thenThrows(KnowledgeGraphError, expectCode(Code.TopicNotFound));
  });

  it('archives once; an archived topic refuses changes', () => {
    const archived: TopicEvent = { type: 'knowledge.topic-archived', data: { topicId, at } };
    spec.given([created]).when({ kind: 'archive', workspaceId: ws, now }).then([archived]);
    spec.given([created, archived]).when({ kind: 'archive', workspaceId: ws, now }).thenNothingHappened();
    spec.given([created, archived]).when({ kind: 'update', workspaceId: ws, changes: { name: 'New' }, now }).thenThrows(KnowledgeGraphError, expectCode(Code.TopicArchived));
  });

  it('adds an atom last by default, moves it or changes its note, removes only a member', () => {
    const added = (position: number, note: string | null): TopicEvent => ({ type: 'knowledge.topic-atom-added', data: { topicId, atomId, position, note, at } });
    spec.given([created]).when({ kind: 'add-atom', workspaceId: ws, atomId, now }).then([added(0, null)]);
    const other = { type: 'knowledge.topic-atom-added', data: { topicId, atomId: 'other', position: 4, note: null, at } } as TopicEvent;
    spec.given([created, other]).when({ kind: 'add-atom', workspaceId: ws, atomId, note: ' why ', now }).then([added(5, 'why')]);
    spec.given([created, added(0, 'n')]).when({ kind: 'add-atom', workspaceId: ws, atomId, position: 0, now }).thenNothingHappened();
    spec.given([created, added(0, 'n')]).when({ kind: 'add-atom', workspaceId: ws, atomId, position: 3, now }).then([added(3, 'n')]);
    spec.given([created, added(0, null)]).when({ kind: 'remove-atom', workspaceId: ws, atomId, now }).then([{ type: 'knowledge.topic-atom-removed', data: { topicId, atomId, at } }]);
    spec.given([created]).when({ kind: 'remove-atom', workspaceId: ws, atomId, now }).thenThrows(KnowledgeGraphError, expectCode(Code.MembershipNotFound));
  });
});
