/**
 * Who belongs to a workspace, for modules that name workspace users in their data (a project's
 * default assignees and PM, a task's owner). Bound by identity; injected by its abstract class.
 */
export abstract class WorkspaceMembers {
  /** The ids among `userIds` that are members of the workspace now (any role); the others are not. */
  abstract membersAmong(workspaceId: string, userIds: readonly string[]): Promise<Set<string>>;
}
