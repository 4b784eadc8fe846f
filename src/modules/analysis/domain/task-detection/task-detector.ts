import { detectionText } from './detection-text';
import { localDay, resolveDueDate } from './due-date';
import { PersonReference, resolveHandle, resolveName, resolvePerson, WorkspaceMember } from './owner-resolution';
import { SentenceTagger, TaggedSentence, TaggedToken } from './tagged-sentence';
import { categorizeTask } from './task-category';
import { findTaskCues, TaskCue } from './task-cues';
import { DetectedTask, groupTaskCandidates, TaskCandidate } from './task-grouping';
import { prioritizeTask } from './task-priority';
import { taskTitle } from './task-title';

/**
 * The built-in offline task detector: which messages of a conversation commit to, assign or
 * request work, as task proposals for review. No model, no network: cues on tagged tokens, so it
 * runs on any workspace and says why it proposed each task. Most conversations hold no task, and
 * an empty answer is the common one.
 */
export interface ConversationMessage {
  id: string;
  /** Messages of one thread may propose one task together; null: the message is its own thread. */
  threadId?: string | null;
  author: PersonReference;
  /** ISO timestamp with the writer's offset when known: relative dates resolve on that calendar. */
  sentAt: string;
  text: string;
}

export interface TaskDetectionInput {
  messages: readonly ConversationMessage[];
  /** Workspace members and known authors: the only people a task may be given to. */
  members: readonly WorkspaceMember[];
}

/** A proposal at or above this confidence is reported; below it the cues were too weak. */
export const DEFAULT_TASK_THRESHOLD = 0.5;

export interface TaskDetectorOptions {
  threshold?: number;
}

/** Words that make a statement less than a plan: each lowers confidence. */
const HEDGES: readonly [RegExp, string][] = [
  [/\b(maybe|perhaps|possibly|probably|might)\b/, 'hedge'],
  [/\b(someday|some day|one day|at some point|eventually|in theory)\b/, 'no time in view'],
  [/^\W*(if|unless|what if|in case)\b/, 'conditional'],
  [/\b(i think|i feel|i guess|i believe|imo|imho|not sure)\b/, 'opinion'],
  [/\balready\b/, 'already done'],
  // Where someone is, not what they will do: "working from home today", "on vacation tomorrow".
  [/\b(?:working|wfh) (?:from|at) (?:home|the office)\b|\bout of (?:the )?office\b|\bon (?:vacation|leave|holiday|sick leave)\b/, 'presence status'],
];
const NEGATIONS = new Set(['not', "n't", 'never', 'no']);
const ACCEPTANCE = /^\W*(?:(?:ok|okay|sure|yes|yep|yeah|np|kk?|alright|no problem)\W+)*(?:i'?m on it|on it|will do|i'?ll do it|i got (?:it|this)|consider it done|leave it (?:to|with) me|i'?ll take (?:it|this|care of it))\W*$/i;

/** "Hi Bob," "Dear Ana Souza," "Hello @ana" opening a message: whom its "you" is. */
const SALUTATION = /^\s*(?:hi|hello|hey|dear|good morning|morning|hallo|ciao|ola|olá)\s+@?([\p{L}][\p{L}'-]*(?:\s[\p{L}][\p{L}'-]*)?)\s*[,!:\n]/iu;
const ASKING = /\b(?:can|could|would|will)\s+(?:you|u|someone|somebody|anyone|anybody)\b|\bwould you mind\b/;

const MAX_QUOTE_CHARS = 300;
const MAX_ACCEPTANCE_CHARS = 80;
const MAX_DESCRIPTION_CHARS = 600;
const MIN_CANDIDATE_CONFIDENCE = 0.2;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`);
const round = (value: number) => Math.round(value * 100) / 100;

export class TaskDetector {
  private readonly threshold: number;

  constructor(
    private readonly tagger: SentenceTagger,
    options: TaskDetectorOptions = {},
  ) {
    this.threshold = options.threshold ?? DEFAULT_TASK_THRESHOLD;
  }

  detect(input: TaskDetectionInput): DetectedTask[] {
    const candidates: TaskCandidate[] = [];
    input.messages.forEach((message, order) => candidates.push(...this.candidatesOf(message, order, input.members)));
    return groupTaskCandidates(candidates).filter((task) => task.confidence >= this.threshold);
  }

  private candidatesOf(message: ConversationMessage, order: number, members: readonly WorkspaceMember[]): TaskCandidate[] {
    const text = detectionText(message.text);
    if (!/[\p{L}\p{N}]/u.test(text)) return [];
    const authorId = resolvePerson(message.author, members);
    const isPersonName = (word: string) => resolveName(word, members) !== null || resolveHandle(word, members) !== null;
    const threadKey = message.threadId ?? `message:${message.id}`;
    const greeted = SALUTATION.exec(text);
    const salutation = greeted ? resolveName(greeted[1], members) : null;
    const description = clip(text.trim(), MAX_DESCRIPTION_CHARS);
    const out: TaskCandidate[] = [];
    for (const sentence of this.tagger.sentences(text)) {
      const base = { threadKey, messageId: message.id, order, quote: clip(sentence.text.trim(), MAX_QUOTE_CHARS), description };
      // An acceptance is a few words; a long sentence is never one (and the pattern never reads it).
      if (sentence.text.length <= MAX_ACCEPTANCE_CHARS && ACCEPTANCE.test(sentence.text.trim())) {
        out.push({
          ...base, title: '', vague: true, acceptanceOnly: true, kind: 'commitment', confidence: 0.6, reasoning: ['acceptance of the task asked before in the thread'],
          priority: 'medium', category: 'chore', ownerId: authorId, dueDate: null, duePhrase: null, tags: ['commitment'],
        });
        continue;
      }
      const offsets = tokenOffsets(sentence);
      // Words in quotation marks are someone else's ("'I'll fix it' is what he said"), not this writer's cue.
      const quoted = [...sentence.text.matchAll(/["“”]([^"“”]{2,})["“”]/g)].map((m) => [m.index, m.index + m[0].length]);
      const cues = findTaskCues(sentence.tokens, isPersonName).filter((cue) => !quoted.some(([from, to]) => offsets[cue.trigger] >= from && offsets[cue.trigger] < to));
      cues.forEach((cue, index) => {
        // Each cue reads its own clause: what precedes the first ("maybe I'll...") belongs to it.
        const clause = cues.length === 1 ? sentence.text : sentence.text.slice(index === 0 ? 0 : offsets[cue.trigger], index + 1 < cues.length ? offsets[cues[index + 1].trigger] : undefined);
        const candidate = this.candidate(sentence.tokens, clause, cue, message, authorId, members, salutation);
        if (candidate.confidence >= MIN_CANDIDATE_CONFIDENCE) out.push({ ...base, ...candidate });
      });
    }
    return out;
  }

  private candidate(
    tokens: readonly TaggedToken[],
    clause: string,
    cue: TaskCue,
    message: ConversationMessage,
    authorId: string | null,
    members: readonly WorkspaceMember[],
    salutation: string | null,
  ) {
    const lower = clause.toLowerCase();
    const reasoning = [`${cue.kind}: ${cue.form} ("${tokens[cue.action].value}")`];
    let confidence = cue.strength;

    // Without a readable sent time no relative date can be resolved; the task itself still stands.
    const dated = !Number.isNaN(Date.parse(message.sentAt));
    const due = dated ? resolveDueDate(clause, message.sentAt) : null;
    const sentDate = dated ? new Date(localDay(message.sentAt) * 86_400_000).toISOString().slice(0, 10) : undefined;
    if (!dated) reasoning.push('sent time unreadable: no due date resolved');
    const priority = prioritizeTask({ text: clause, dueDate: due?.date, sentDate });
    if (due) {
      confidence += 0.15;
      reasoning.push(`deadline "${due.phrase}" -> ${due.date}`);
    }
    if (priority === 'urgent') {
      confidence += 0.1;
      reasoning.push('urgency words');
    }
    // "need + object" and a bare imperative are tasks only when time is stated.
    if (cue.strength < 0.5 && !due && priority !== 'urgent') {
      confidence -= 0.1;
      reasoning.push('no deadline for a weak cue');
    }

    let hedged = 0;
    for (const [pattern, label] of HEDGES) {
      if (pattern.test(lower) && hedged < 2) {
        confidence -= 0.25;
        hedged++;
        reasoning.push(`${label} lowers it`);
      }
    }
    if (tokens.slice(0, cue.action).some((t) => NEGATIONS.has(t.normal))) {
      confidence -= 0.4;
      reasoning.push('negated');
    }
    // "could you please confirm...?" asks for work; "I'll fix it?" is unsure of it.
    const asking = cue.kind === 'assignment' || ASKING.test(lower);
    if (!asking && clause.trim().endsWith('?')) {
      confidence -= 0.15;
      reasoning.push('asked as a question');
    }

    const { title, vague } = taskTitle(tokens, cue.action);
    if (vague) confidence -= 0.05;

    // "fix coming tomorrow, I'm on it": the writer takes the work the sentence names.
    if (cue.kind === 'request' && /\b(?:i'?m|i am) on it\b/.test(lower)) cue = { ...cue, kind: 'commitment', form: `${cue.form}, taken on ("on it")` };
    // A message that opens "Hi Bob," asks Bob what it asks "you" or asks "please" (not what it asks "someone").
    if (cue.kind === 'request' && salutation && !/someone|somebody|anyone|anybody|everyone|need|imperative/.test(cue.form)) {
      cue = { ...cue, kind: 'assignment', form: `${cue.form}, to whom the message is addressed` };
      reasoning.push(`addressed in the greeting`);
    }
    const ownerId = cue.kind === 'assignment' && cue.addressee === undefined ? salutation : this.owner(cue, tokens, authorId, members, reasoning);
    if (cue.kind === 'assignment' && cue.addressee === undefined) reasoning.push('owner: the member the greeting names');
    const next = tokens[cue.action + 1]?.normal;
    const category = categorizeTask({ verb: tokens[cue.action].lemma, next, words: tokens.map((t) => t.lemma), after: tokens.slice(cue.action + 1) });
    const hashtags = tokens.filter((t) => t.kind === 'hashtag').map((t) => t.normal.replace(/^#/, ''));
    return {
      title, vague, kind: cue.kind, confidence: round(Math.max(0, Math.min(0.97, confidence))), reasoning, priority, category, ownerId,
      dueDate: due?.date ?? null, duePhrase: due?.phrase ?? null, tags: [...new Set([cue.kind, ...hashtags])],
    };
  }

  /** The writer for a commitment, the addressee for an assignment (members only), no one for a request. */
  private owner(cue: TaskCue, tokens: readonly TaggedToken[], authorId: string | null, members: readonly WorkspaceMember[], reasoning: string[]): string | null {
    if (cue.kind === 'commitment') {
      reasoning.push(authorId ? 'owner: the writer' : 'owner: the writer is not a known member');
      return authorId;
    }
    if (cue.kind === 'request' || cue.addressee === undefined) {
      reasoning.push('owner: none named');
      return null;
    }
    const who = tokens[cue.addressee];
    const id = who.kind === 'mention' ? resolveHandle(who.value, members) : resolveName(who.value, members);
    reasoning.push(id ? `owner: ${who.value}` : `owner: ${who.value} is not a known member`);
    return id;
  }
}

/** Where each token starts in its sentence's text (the tagger gives the tokens as written, in order). */
function tokenOffsets(sentence: TaggedSentence): number[] {
  let cursor = 0;
  return sentence.tokens.map((token) => {
    const at = sentence.text.indexOf(token.value, cursor);
    if (at < 0) return cursor;
    cursor = at + token.value.length;
    return at;
  });
}
