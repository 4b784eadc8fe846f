/**
 * How pressing a task is, from the urgency words of its text (and a deadline of the same day).
 * Without any, a task is `medium`: the text gave no reason to rank it above or below others.
 */
export type TaskPriority = 'urgent' | 'high' | 'medium' | 'low';

const URGENT = [
  /\burgent(?:ly)?\b/, /\basap\b/, /\bas soon as possible\b/, /\bblock(?:er|ers|ing|s)\b/, /\bp0\b/, /\bsev ?[01]\b/, /\bcritical\b/, /\bemergency\b/,
  /\bimmediately\b/, /\bright (?:now|away)\b/, /\b(?:prod|production|site|checkout)\b[^.!?]{0,20}\bdown\b/, /🚨|🔥/u,
];
const HIGH = [/\btoday\b/, /\btonight\b/, /\beod\b/, /\bend of (?:the )?day\b/, /\bcob\b/, /\bp1\b/, /\bsev ?2\b/, /\bhigh[- ]priority\b/, /\bimportant\b/, /\bquickly\b/, /\bsoon\b/];
const LOW = [/\bno rush\b/, /\bwhenever\b/, /\blow[- ]priority\b/, /\bp[34]\b/, /\bwhen you (?:have|get) (?:a )?(?:time|chance|minute)\b/, /\bnice to have\b/, /\bnot urgent\b/, /\bno hurry\b/];

export interface PriorityEvidence {
  text: string;
  /** The due date (YYYY-MM-DD) and the day the message was sent, when the text states one. */
  dueDate?: string | null;
  sentDate?: string;
}

export function prioritizeTask({ text, dueDate, sentDate }: PriorityEvidence): TaskPriority {
  const lower = text.toLowerCase();
  // "not urgent" is low, though it holds "urgent".
  if (LOW.some((p) => p.test(lower))) return 'low';
  if (URGENT.some((p) => p.test(lower))) return 'urgent';
  if (HIGH.some((p) => p.test(lower)) || (dueDate && sentDate && dueDate <= sentDate)) return 'high';
  return 'medium';
}

const RANK: Record<TaskPriority, number> = { low: 0, medium: 1, high: 2, urgent: 3 };

export function higherPriority(a: TaskPriority, b: TaskPriority): TaskPriority {
  return RANK[a] >= RANK[b] ? a : b;
}
