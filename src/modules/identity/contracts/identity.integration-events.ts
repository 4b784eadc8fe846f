/**
 * Facts other modules may react to (through the durable subscription, never the in-memory
 * EventBus). Payloads are primitives; personal fields are encrypted per data subject in the log.
 */
export const IdentityEvents = {
  UserRegistered: 'identity.user-registered',
  WorkspaceCreated: 'identity.workspace-created',
  MemberAdded: 'identity.workspace-member-added',
  MemberRemoved: 'identity.workspace-member-removed',
  /** A linked OAuth account was disconnected: `{ accountId, userId, provider, providerAccountId, at }`. Every source reading it stops. */
  OAuthAccountUnlinked: 'identity.oauth-account-unlinked',
} as const;
