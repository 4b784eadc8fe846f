import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { uniqueClaimDecider, UniqueClaimEvent, uniqueClaimStreamId, UniqueValueTakenError } from '@libs/eventsourcing/uniqueness/unique-claim.decider';

const spec = DeciderSpecification(uniqueClaimDecider);
const claimed = (owner: string): UniqueClaimEvent => ({ type: 'uniqueness.value-claimed', data: { scope: 'email', owner } });
const released = (owner: string): UniqueClaimEvent => ({ type: 'uniqueness.value-released', data: { scope: 'email', owner } });

describe('unique claim decider', () => {
  it('claims a free value; the same owner claiming again changes nothing', () => {
    spec.given([]).when({ kind: 'claim', scope: 'email', owner: 'u1' }).then([claimed('u1')]);
    spec.given([claimed('u1')]).when({ kind: 'claim', scope: 'email', owner: 'u1' }).thenNothingHappened();
  });

  it("refuses another owner's value", () => {
    spec
      .given([claimed('u1')])
      .when({ kind: 'claim', scope: 'email', owner: 'u2' })
      .thenThrows(UniqueValueTakenError, (e) => expect(e.details).toEqual({ scope: 'email' }));
  });

  it('releases only for its owner; a released value can be claimed again', () => {
    spec.given([claimed('u1')]).when({ kind: 'release', scope: 'email', owner: 'u1' }).then([released('u1')]);
    spec.given([claimed('u1')]).when({ kind: 'release', scope: 'email', owner: 'u2' }).thenNothingHappened();
    spec.given([claimed('u1'), released('u1')]).when({ kind: 'claim', scope: 'email', owner: 'u2' }).then([claimed('u2')]);
  });

  it('names the stream by a hash of scope and value, never the value', () => {
    const id = uniqueClaimStreamId('email', 'ann@example.com');
    expect(id).toMatch(/^unique-email-[0-9a-f]{64}$/);
    expect(id).not.toContain('ann');
    expect(uniqueClaimStreamId('slug', 'ann@example.com')).not.toBe(id);
  });
});
