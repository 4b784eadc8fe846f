import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { taskConfigDecider } from './configuration-deciders';
import { AnalysisConfigurationError, AnalysisConfigurationErrorCode as Code } from './configuration.errors';
import { TaskConfigSettings } from './configuration-settings';

const id = '0193a000-0000-7000-8000-00000000c001';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const otherWorkspace = '0193a000-0000-7000-8000-0000000000b2';
const now = new Date('2026-12-03T10:00:00.000Z');
const at = now.toISOString();
const settings: TaskConfigSettings = { name: 'Proposals', description: null, responseSchema: { type: 'object' } };
const created = { type: 'analysis.task-config-created' as const, data: { id, workspaceId, settings, at } };
const deleted = { type: 'analysis.task-config-deleted' as const, data: { id, at } };
const notFound = (err: AnalysisConfigurationError) => expect(err.code).toBe(Code.TaskConfigNotFound);

describe('configuration item decider (as the task config)', () => {
  const spec = DeciderSpecification(taskConfigDecider);

  it('creates an item; creating it again (a retried request) does nothing', () => {
    spec.given([]).when({ kind: 'create', id, workspaceId, settings, now }).then([created]);
    spec.given([created]).when({ kind: 'create', id, workspaceId, settings, now }).thenNothingHappened();
  });

  it('records only the settings that changed, compared by value', () => {
    spec
      .given([created])
      .when({ kind: 'change', workspaceId, changes: { name: 'Proposals', description: 'found tasks', responseSchema: { type: 'object' } }, now })
      .then([{ type: 'analysis.task-config-changed', data: { id, changes: { description: 'found tasks' }, at } }]);
    spec.given([created]).when({ kind: 'change', workspaceId, changes: { name: 'Proposals', responseSchema: { type: 'object' } }, now }).thenNothingHappened();
    spec.given([created]).when({ kind: 'change', workspaceId, changes: {}, now }).thenNothingHappened();
  });

  it('a later change sees the earlier ones', () => {
    const changed = { type: 'analysis.task-config-changed' as const, data: { id, changes: { name: 'Renamed' }, at } };
    spec.given([created, changed]).when({ kind: 'change', workspaceId, changes: { name: 'Renamed' }, now }).thenNothingHappened();
    spec.given([created, changed]).when({ kind: 'change', workspaceId, changes: { name: 'Proposals' }, now }).then([{ type: 'analysis.task-config-changed', data: { id, changes: { name: 'Proposals' }, at } }]);
  });

  it('(de)activates only on a change of state', () => {
    const off = { type: 'analysis.task-config-active-changed' as const, data: { id, active: false, at } };
    spec.given([created]).when({ kind: 'set-active', workspaceId, active: true, now }).thenNothingHappened();
    spec.given([created]).when({ kind: 'set-active', workspaceId, active: false, now }).then([off]);
    spec.given([created, off]).when({ kind: 'set-active', workspaceId, active: true, now }).then([{ type: 'analysis.task-config-active-changed', data: { id, active: true, at } }]);
  });

  it('another workspace\'s item, an unknown one and a deleted one are not found', () => {
    spec.given([created]).when({ kind: 'change', workspaceId: otherWorkspace, changes: { name: 'x' }, now }).thenThrows(AnalysisConfigurationError, notFound);
    spec.given([created]).when({ kind: 'delete', workspaceId: otherWorkspace, now }).thenThrows(AnalysisConfigurationError, notFound);
    spec.given([]).when({ kind: 'set-active', workspaceId, active: false, now }).thenThrows(AnalysisConfigurationError, notFound);
    spec.given([created, deleted]).when({ kind: 'change', workspaceId, changes: { name: 'x' }, now }).thenThrows(AnalysisConfigurationError, notFound);
    spec.given([created, deleted]).when({ kind: 'delete', workspaceId, now }).thenThrows(AnalysisConfigurationError, notFound);
  });

  it('deletes; the same id may be created again (the built-in items are, on their next use)', () => {
    spec.given([created]).when({ kind: 'delete', workspaceId, now }).then([deleted]);
    spec.given([created, deleted]).when({ kind: 'create', id, workspaceId, settings, now }).then([created]);
  });
});
