import { ValidationFailedError } from '@libs/common/errors/application-error';
import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { KnowledgeGraphError, KnowledgeGraphErrorCode as Code } from '@modules/knowledge/domain/knowledge-graph/knowledge-graph.errors';
import { atomDecider } from './atom.decider';
import { AtomEvent } from './atom.events';

const now = new Date('2026-11-25T10:00:00Z');
const at = now.toISOString();
const ws = '0190f0f0-0000-7000-8000-000000000001';
const atomId = '0190f0f0-0000-7000-8000-0000000000aa';
const otherId = '0190f0f0-0000-7000-8000-0000000000bb';
const snapshot = { type: 'problem' as const, title: 'CSV export crashes', content: 'Export to CSV fails with a 500 on large reports.', confidence: 0.8, meta: { source: 'support' } };
const created: AtomEvent = { type: 'knowledge.atom-created', data: { atomId, workspaceId: ws, version: 1, ...snapshot, at } };
const approved = (version: number): AtomEvent => ({ type: 'knowledge.atom-version-approved', data: { atomId, version, at } });
const expectCode = (code: Code) => (e: KnowledgeGraphError) => expect(e.code).toBe(code);

describe('atom decider', () => {
  const spec = DeciderSpecification(atomDecider);

  it('creates version 1 with trimmed text and empty metadata by default', () => {
    spec
      .given([])
      .when({ kind: 'create', atomId, workspaceId: ws, type: 'insight', title: ' Users want dark mode ', content: 'Asked 12 times.', now })
      .then([{ type: 'knowledge.atom-created', data: { atomId, workspaceId: ws, version: 1, type: 'insight', title: 'Users want dark mode', content: 'Asked 12 times.', confidence: null, meta: {}, at } }]);
  });

  it('refuses a bad type, title, confidence or meta', () => {
    const base = { kind: 'create' as const, atomId, workspaceId: ws, type: 'problem' as const, title: 't', content: 'c', now };
    spec.given([]).when({ ...base, type: 'rumour' as never }).thenThrows(ValidationFailedError);
    spec.given([]).when({ ...base, title: 'x'.repeat(201) }).thenThrows(ValidationFailedError);
    spec.given([]).when({ ...base, confidence: 1.5 }).thenThrows(ValidationFailedError);
    spec.given([]).when({ ...base, meta: [] as never }).thenThrows(ValidationFailedError);
  });

  it('an update is the next version with the full snapshot and what changed; metadata compares by value', () => {
    spec
      .given([created])
      .when({ kind: 'update', workspaceId: ws, changes: { content: 'Export to CSV fails with a 500 on reports over 10k rows.', confidence: 0.9 }, now })
      .then([
        {
          type: 'knowledge.atom-updated',
          data: { atomId, version: 2, ...snapshot, content: 'Export to CSV fails with a 500 on reports over 10k rows.', confidence: 0.9, changed: ['content', 'confidence'], at },
        },
      ]);
    spec.given([created]).when({ kind: 'update', workspaceId: ws, changes: { meta: { source: 'support' }, title: 'CSV export crashes' }, now }).thenNothingHappened();
  });

  it('approves the latest or an older version, once; an unknown version is not found', () => {
    spec.given([created]).when({ kind: 'approve', workspaceId: ws, version: 1, now }).then([approved(1)]);
    spec.given([created, approved(1)]).when({ kind: 'approve', workspaceId: ws, version: 1, now }).thenNothingHappened();
    spec.given([created]).when({ kind: 'approve', workspaceId: ws, version: 0, now }).thenThrows(KnowledgeGraphError, expectCode(Code.VersionNotFound));
  });

  it('links to another atom (changing type or strength links again), never to itself; unlinks only a link', () => {
    const linked = (linkType: 'solves' | 'supports', strength: number | null): AtomEvent => ({ type: 'knowledge.atom-linked', data: { fromAtomId: atomId, toAtomId: otherId, linkType, strength, at } });
    spec.given([created]).when({ kind: 'link', workspaceId: ws, toAtomId: otherId, linkType: 'solves', strength: 0.7, now }).then([linked('solves', 0.7)]);
    spec.given([created, linked('solves', 0.7)]).when({ kind: 'link', workspaceId: ws, toAtomId: otherId, linkType: 'solves', strength: 0.7, now }).thenNothingHappened();
    spec.given([created, linked('solves', 0.7)]).when({ kind: 'link', workspaceId: ws, toAtomId: otherId, linkType: 'supports', strength: null, now }).then([linked('supports', null)]);
    spec.given([created]).when({ kind: 'link', workspaceId: ws, toAtomId: atomId, linkType: 'solves', now }).thenThrows(ValidationFailedError);
    spec.given([created]).when({ kind: 'link', workspaceId: ws, toAtomId: otherId, linkType: 'solves', strength: -0.1, now }).thenThrows(ValidationFailedError);
    spec.given([created, linked('solves', 0.7)]).when({ kind: 'unlink', workspaceId: ws, toAtomId: otherId, now }).then([{ type: 'knowledge.atom-unlinked', data: { fromAtomId: atomId, toAtomId: otherId, at } }]);
    spec.given([created]).when({ kind: 'unlink', workspaceId: ws, toAtomId: otherId, now }).thenThrows(KnowledgeGraphError, expectCode(Code.LinkNotFound));
  });

  it("another workspace's atom is not found; an archived atom refuses changes", () => {
    spec.given([created]).when({ kind: 'approve', workspaceId: otherId, version: 1, now }).thenThrows(KnowledgeGraphError, expectCode(Code.AtomNotFound));
    const archived: AtomEvent = { type: 'knowledge.atom-archived', data: { atomId, at } };
    spec.given([created, archived]).when({ kind: 'update', workspaceId: ws, changes: { title: 'x' }, now }).thenThrows(KnowledgeGraphError, expectCode(Code.AtomArchived));
  });
});
