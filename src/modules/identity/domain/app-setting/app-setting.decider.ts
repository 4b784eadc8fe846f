import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';

/** `^[a-z0-9][a-z0-9._-]{0,99}$`, e.g. `telegram.owner-user-id`. */
export const SETTING_KEY = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/**
 * A platform-wide setting (seed 002 app_settings: key, value, updated_at), e.g. the Telegram
 * owner binding. One stream per key; only superusers write them (the http layer's guard).
 */
export type AppSettingEvent =
  | { type: 'identity.app-setting-set'; data: { key: string; value: string; at: string } }
  | { type: 'identity.app-setting-deleted'; data: { key: string; at: string } };

export type AppSettingState = { status: 'none' } | { status: 'set'; key: string; value: string } | { status: 'deleted'; key: string };

export type AppSettingCommand = { kind: 'set'; key: string; value: string; now: Date } | { kind: 'delete'; now: Date };

export const appSettingDecider: Decider<AppSettingCommand, AppSettingState, AppSettingEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve: (_s, e) => {
    switch (e.type) {
      case 'identity.app-setting-set':
        return { status: 'set', key: e.data.key, value: e.data.value };
      case 'identity.app-setting-deleted':
        return { status: 'deleted', key: e.data.key };
      default:
        return assertNever(e);
    }
  },

  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'set':
        if (s.status === 'set' && s.value === c.value) return [];
        return { type: 'identity.app-setting-set', data: { key: c.key, value: c.value, at } };
      case 'delete':
        if (s.status !== 'set') throw new IdentityError(Code.SettingNotFound, 'No such setting');
        return { type: 'identity.app-setting-deleted', data: { key: s.key, at } };
      default:
        return assertNever(c);
    }
  },
};
