import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { IngestionError, IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';
import { SourceEvent, sourceDecider } from './source.decider';

const spec = DeciderSpecification(sourceDecider);
const now = new Date('2026-03-02T10:00:00Z');
const at = now.toISOString();
const connected: SourceEvent = {
  type: 'ingestion.source-connected',
  data: { sourceId: 's', workspaceId: 'w', kind: 'slack', name: 'Slack', config: { teamId: 'T1' }, credentialsCiphertext: 'c1', externalId: 'T1', at },
};
const verified = (externalId = 'T1'): SourceEvent => ({ type: 'ingestion.source-account-verified', data: { sourceId: 's', externalId, at } });
const verify = (externalId = 'T1') => ({ kind: 'verify-account' as const, workspaceId: 'w', externalId, now });

describe('source decider: a provider account is proven, not named', () => {
  it('records the proof of the account once; proving it again changes nothing', () => {
    spec.given([connected]).when(verify()).then([verified()]);
    spec.given([connected, verified()]).when(verify()).then([]);
  });

  it('new credentials name the account anew: the proof is gone until made again', () => {
    const replaced: SourceEvent = { type: 'ingestion.source-credentials-replaced', data: { sourceId: 's', credentialsCiphertext: 'c2', externalId: 'T1', at } };
    spec.given([connected, verified()]).when({ kind: 'replace-credentials', workspaceId: 'w', credentialsCiphertext: 'c2', externalId: 'T1', now }).then([replaced]);
    spec.given([connected, verified(), replaced]).when(verify()).then([verified()]);
  });

  it('a config that names another account records it, and that account needs its own proof', () => {
    const renamed: SourceEvent = { type: 'ingestion.source-updated', data: { sourceId: 's', config: { teamId: 'T2' }, externalId: 'T2', at } };
    spec.given([connected, verified()]).when({ kind: 'update', workspaceId: 'w', config: { teamId: 'T2' }, externalId: 'T2', now }).then([renamed]);
    spec.given([connected, verified()]).when({ kind: 'update', workspaceId: 'w', config: { teamId: 'T1', channels: ['C1'] }, externalId: 'T1', now }).then([
      { type: 'ingestion.source-updated', data: { sourceId: 's', config: { teamId: 'T1', channels: ['C1'] }, at } },
    ]);
    spec.given([connected, verified(), renamed]).when(verify('T2')).then([verified('T2')]);
  });

  it('lets go of the account it holds (and only that one): released, it needs a new proof', () => {
    const released: SourceEvent = { type: 'ingestion.source-account-released', data: { sourceId: 's', externalId: 'T1', at } };
    const release = (externalId = 'T1') => ({ kind: 'release-account' as const, workspaceId: 'w', externalId, now });
    spec.given([connected, verified()]).when(release()).then([released]);
    spec.given([connected, verified(), released]).when(release()).then([]);
    spec.given([connected]).when(release()).then([]);
    spec.given([connected, verified('T2')]).when(release('T1')).then([]);
    spec.given([connected, verified(), released]).when(verify()).then([verified()]);
  });

  it('another workspace cannot prove an account for this source', () => {
    spec.given([connected]).when({ ...verify(), workspaceId: 'other' }).thenThrows(IngestionError, (e) => expect(e.code).toBe(IngestionErrorCode.SourceNotFound));
  });
});
