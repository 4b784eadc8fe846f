import { signupRequestPersonalData } from './signup-request/signup-request.decider';
import { telegramProfilePersonalData } from './telegram-profile/telegram-profile.decider';
import { userPersonalData } from './user/user.events';
import { workspacePersonalData } from './workspace/workspace.events';

/** Every identity event field that is personal data, by event type, with its data subject. */
export const identityPersonalData: Record<string, { subject: string; fields: string[] }> = {
  ...userPersonalData,
  ...workspacePersonalData,
  ...signupRequestPersonalData,
  ...telegramProfilePersonalData,
  'identity.session-started': { subject: 'userId', fields: ['ip', 'userAgent'] },
  // OAuth tokens are SecretBox ciphertexts already; sealing them with the user's key too means an
  // erased user's tokens can never be opened again, even from the immutable log.
  'identity.oauth-account-linked': { subject: 'userId', fields: ['accessTokenCiphertext', 'refreshTokenCiphertext', 'idTokenCiphertext'] },
  'identity.oauth-account-tokens-refreshed': { subject: 'userId', fields: ['accessTokenCiphertext', 'refreshTokenCiphertext', 'idTokenCiphertext'] },
};
