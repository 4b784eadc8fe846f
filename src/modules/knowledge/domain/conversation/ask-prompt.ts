/**
 * What the model is told about its job. How to use the documents (answer only from them, cite
 * [n], the no-answer reply) is the LlmClient adapter's part, sent with the documents: repeating
 * it here in other words would only give the model two rules to reconcile.
 */
export const ASK_SYSTEM_PROMPT = [
  "You answer a team member's questions about the team's conversations (chat, email, support tickets, call transcripts).",
  'Be brief: a few sentences, in the language of the question.',
].join(' ');

/** Earlier turns given to the model: enough for "its", "that", "them" to resolve, bounded in size. */
export const HISTORY_MAX_MESSAGES = 6;
export const HISTORY_MAX_CHARS_PER_MESSAGE = 1_000;

/**
 * An earlier message as the model sees it: clipped, and an answer without its [n] markers,
 * which numbered that turn's documents, not this one's (the model would cite them anew).
 */
export function historyContent(role: 'user' | 'assistant', content: string): string {
  const text = role === 'assistant' ? content.replace(/[ \t]*\[\d{1,2}(?:\s*,\s*\d{1,2})*\]/g, '').trim() : content;
  return text.length <= HISTORY_MAX_CHARS_PER_MESSAGE ? text : `${text.slice(0, HISTORY_MAX_CHARS_PER_MESSAGE - 1)}…`;
}
