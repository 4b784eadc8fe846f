import type { WorkspaceMembers } from '@modules/identity/contracts';

/**
 * The agents whose owner is still a member of the agent's workspace (one look-up per workspace):
 * an agent is its owner's, and once they left (or were erased) it runs no more there.
 */
export async function agentsOfMembers<A extends { workspace_id: string; user_id: string | null }>(members: WorkspaceMembers, agents: A[]): Promise<A[]> {
  const byWorkspace = new Map<string, Set<string>>();
  for (const ws of new Set(agents.map((a) => a.workspace_id))) {
    const owners = agents.filter((a) => a.workspace_id === ws && a.user_id).map((a) => a.user_id!);
    byWorkspace.set(ws, await members.membersAmong(ws, owners));
  }
  return agents.filter((a) => a.user_id !== null && byWorkspace.get(a.workspace_id)!.has(a.user_id));
}
