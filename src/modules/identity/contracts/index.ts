export { WORKSPACE_ROLES, roleAtLeast, isWorkspaceRole } from '@libs/common/auth/workspace-role';
export type { WorkspaceRole } from '@libs/common/auth/workspace-role';
export * from './identity.integration-events';
export * from './workspace-members';
export * from './oauth-access-tokens';
