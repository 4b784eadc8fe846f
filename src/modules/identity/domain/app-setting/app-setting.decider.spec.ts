import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { AppSettingEvent, appSettingDecider, SETTING_KEY } from './app-setting.decider';

const spec = DeciderSpecification(appSettingDecider);
const now = new Date('2026-11-27T10:00:00Z');
const at = now.toISOString();
const set = (value: string): AppSettingEvent => ({ type: 'identity.app-setting-set', data: { key: 'telegram.owner', value, at } });
const deleted: AppSettingEvent = { type: 'identity.app-setting-deleted', data: { key: 'telegram.owner', at } };

describe('app setting decider', () => {
  it('sets a value, changes it, and ignores the same value again', () => {
    spec.given([]).when({ kind: 'set', key: 'telegram.owner', value: '42', now }).then([set('42')]);
    spec.given([set('42')]).when({ kind: 'set', key: 'telegram.owner', value: '43', now }).then([set('43')]);
    spec.given([set('42')]).when({ kind: 'set', key: 'telegram.owner', value: '42', now }).thenNothingHappened();
    spec.given([set('42'), deleted]).when({ kind: 'set', key: 'telegram.owner', value: '42', now }).then([set('42')]);
  });

  it('deletes a set value only', () => {
    spec.given([set('42')]).when({ kind: 'delete', now }).then([deleted]);
    spec.given([]).when({ kind: 'delete', now }).thenThrows(IdentityError, (e: IdentityError) => expect(e.code).toBe(Code.SettingNotFound));
    spec.given([set('42'), deleted]).when({ kind: 'delete', now }).thenThrows(IdentityError, (e: IdentityError) => expect(e.code).toBe(Code.SettingNotFound));
  });

  it('keys are lower-case, start with a letter or digit, at most 100 characters', () => {
    for (const ok of ['a', 'telegram.owner-user_id', '0', 'a'.repeat(100)]) expect(SETTING_KEY.test(ok)).toBe(true);
    for (const bad of ['', 'A', '.a', '-a', 'a b', 'a/b', 'a'.repeat(101), 'é']) expect(SETTING_KEY.test(bad)).toBe(false);
  });
});
