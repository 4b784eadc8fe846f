import { signupRequestPersonalData } from './signup-request/signup-request.decider';
import { userPersonalData } from './user/user.events';
import { workspacePersonalData } from './workspace/workspace.events';

/** Every identity event field that is personal data, by event type, with its data subject. */
export const identityPersonalData: Record<string, { subject: string; fields: string[] }> = {
  ...userPersonalData,
  ...workspacePersonalData,
  ...signupRequestPersonalData,
  'identity.session-started': { subject: 'userId', fields: ['ip', 'userAgent'] },
};
