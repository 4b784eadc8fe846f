import type { WorkspaceMember } from '@modules/analysis/domain/task-detection/owner-resolution';
import type { WindowMessage } from '@modules/ingestion/contracts';

/**
 * The people a task may be given to: the known authors of the messages (by their author subject
 * id). A name the text gives that matches none of them stays no owner.
 */
export function knownAuthors(messages: readonly WindowMessage[]): WorkspaceMember[] {
  const byId = new Map<string, { name: string; handles: Set<string>; emails: Set<string> }>();
  for (const m of messages) {
    const id = m.author.subjectId;
    if (!id) continue;
    let p = byId.get(id);
    if (!p) byId.set(id, (p = { name: '', handles: new Set(), emails: new Set() }));
    if (m.author.name && !p.name) p.name = m.author.name;
    if (m.author.externalId) p.handles.add(m.author.externalId);
    if (m.author.email) p.emails.add(m.author.email);
  }
  return [...byId.entries()].map(([id, p]) => ({ id, name: p.name, handles: [...p.handles], emails: [...p.emails] }));
}
