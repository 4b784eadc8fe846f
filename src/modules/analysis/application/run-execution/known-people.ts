import type { WorkspaceMember } from '@modules/analysis/domain/task-detection/owner-resolution';
import type { WindowMessage } from '@modules/ingestion/contracts';

/**
 * The people a task may be given to: the workspace members (by user id) and the known authors of
 * the messages (by author subject id). An author whose email is a member's is that member (their
 * chat handles join the member's), so one person is never two candidates, which would make
 * every reference to them ambiguous. A name the text gives that matches no one stays no owner.
 */
export function knownPeople(members: readonly { id: string; name: string; email: string | null }[], messages: readonly WindowMessage[]): WorkspaceMember[] {
  const people = new Map<string, { name: string; handles: Set<string>; emails: Set<string> }>();
  const byEmail = new Map<string, string>();
  for (const m of members) {
    people.set(m.id, { name: m.name, handles: new Set(), emails: new Set(m.email ? [m.email] : []) });
    if (m.email) byEmail.set(m.email.toLowerCase(), m.id);
  }
  for (const msg of messages) {
    const a = msg.author;
    const id = (a.email && byEmail.get(a.email.toLowerCase())) ?? a.subjectId;
    if (!id) continue;
    let p = people.get(id);
    if (!p) people.set(id, (p = { name: '', handles: new Set(), emails: new Set() }));
    if (a.name && !p.name) p.name = a.name;
    if (a.externalId) p.handles.add(a.externalId);
    if (a.email) p.emails.add(a.email);
  }
  return [...people.entries()].map(([id, p]) => ({ id, name: p.name, handles: [...p.handles], emails: [...p.emails] }));
}
