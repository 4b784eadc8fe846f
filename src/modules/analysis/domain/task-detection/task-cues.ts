import { TaggedToken } from './tagged-sentence';

/**
 * The cues that make a sentence a task, read on tagged tokens:
 * - commitment: the writer takes work on ("I'll fix", "let me check", "gonna upgrade");
 * - assignment: someone named is asked ("@ana can you deploy", "Dima, please restart");
 * - request: someone unnamed is asked, or a need is stated ("please fix", "someone needs to").
 * Each form has a strength: how surely that wording means work will be done. The detector adds
 * what raises or lowers it (a deadline, a hedge).
 */
export type TaskKind = 'commitment' | 'assignment' | 'request';

export interface TaskCue {
  kind: TaskKind;
  /** Index of the action's verb in the sentence's tokens. */
  action: number;
  /** Index of the first token of the wording ("I" of "I'll fix", "can" of "can you deploy"): where its clause starts. */
  trigger: number;
  /** The wording found, for the reasoning ("first person + will + verb"). */
  form: string;
  strength: number;
  /** Token index of whom the sentence addresses or names as doer, for assignments. */
  addressee?: number;
}

/** Verbs that state no work to do: "I'll be there", "I'll think about it", "can you see it?". */
const NOT_ACTIONS = new Set([
  'be', 'think', 'know', 'like', 'love', 'hope', 'guess', 'wonder', 'want', 'miss', 'feel', 'believe', 'remember', 'forget', 'seem', 'need', 'mind', 'imagine', 'hear',
  'see', 'understand', 'explain', 'tell', 'say', 'agree', 'welcome', 'thank', 'enjoy', 'appreciate', 'wish', 'access', 'read', 'open', 'find', 'note', 'let', 'consider',
  'can', 'could', 'would', 'should', 'will', 'may', 'might', 'must',
]);

/** Task verbs the tagger may mistake for nouns or adjectives in lower-case chat ("pls fix", "can u review"). */
const ACTION_WORDS = new Set([
  'fix', 'deploy', 'send', 'update', 'review', 'add', 'check', 'merge', 'restart', 'rerun', 'run', 'build', 'write', 'prepare', 'book', 'schedule', 'renew', 'rotate', 'publish', 'ship',
  'release', 'upload', 'test', 'investigate', 'look', 'handle', 'call', 'ping', 'email', 'share', 'forward', 'sign', 'approve', 'submit', 'confirm', 'order', 'cancel', 'archive', 'clean',
  'refactor', 'optimise', 'optimize', 'improve', 'implement', 'invite', 'delete', 'remove', 'translate', 'patch', 'hotfix', 'document', 'set', 'migrate', 'upgrade', 'install', 'finish',
  'tweak', 'tune', 'polish', 'create', 'draft', 'move', 'ask', 'answer', 'dig', 'figure', 'make', 'get', 'do', 'take', 'pay', 'return', 'provide', 'fill', 'cover', 'rewrite', 'simplify',
  'reply', 'respond', 'follow', 'sort', 'clarify', 'verify', 'double-check', 'debug', 'start', 'resend', 'reach', 'contact', 'pick', 'own',
]);

const INTERJECTIONS = new Set(['ok', 'okay', 'sure', 'yes', 'yep', 'yeah', 'alright', 'so', 'also', 'and', 'then', 'np', 'kk', 'k', 'hey', 'hi', 'hello', 'cool', 'great', 'right', 'fine', 'btw', 'oh', 'ah', 'well', 'sorry', 'thanks', 'thx', 'dear']);
/** Words between a modal and its verb that do not change the work: "I'll just quickly go and try to fix". */
const FILLERS = new Set(['just', 'also', 'quickly', 'definitely', 'really', 'still', 'then', 'now', 'first', 'probably', 'maybe', 'please', 'kindly', 'actually', 'gladly', 'happily', 'personally', 'asap', 'soon', 'already', 'go', 'and', 'try', 'to']);
const PLEASE = new Set(['please', 'pls', 'plz', 'plse', 'kindly', 'pleas']);
const HEARERS = new Set(['you', 'u', 'ya', 'yall', "y'all"]);
const ANYONE = new Set(['someone', 'somebody', 'anyone', 'anybody', 'everyone']);
const ASKING_MODALS = new Set(['can', 'could', 'would', 'will']);
/** "we plan to launch": verbs of intent that commit the writer to the verb after "to". */
const PLANS = new Set(['plan', 'intend', 'aim', 'promise', 'commit']);
/** Subjects that commit the writer: "I", "we", and the forms the tagger keeps whole ("I'm", "we're"). */
const SUBJECTS: Record<string, { person: string; be: boolean }> = {
  i: { person: 'first person', be: false },
  we: { person: 'we', be: false },
  "i'm": { person: 'first person', be: true },
  im: { person: 'first person', be: true },
  "we're": { person: 'we', be: true },
};

const isWord = (t: TaggedToken | undefined) => t !== undefined && (t.kind === 'word' || t.kind === 'number');

/** A verb that names work, in its base form: "fix", not "fixed" or "fixes". */
export function isActionVerb(t: TaggedToken | undefined, { baseForm = true } = {}): boolean {
  if (!t || t.kind !== 'word') return false;
  if (NOT_ACTIONS.has(t.lemma) || NOT_ACTIONS.has(t.normal)) return false;
  if (baseForm && t.normal !== t.lemma && t.normal !== 'do') return false;
  if (t.pos === 'VERB') return true;
  return ACTION_WORDS.has(t.lemma) && t.pos !== 'AUX' && t.pos !== 'DET';
}

/** The first index at or after `from` that is not a filler ("just", "also", "please", "try to"); tokens.length past the end. */
function skipFillers(tokens: readonly TaggedToken[], from: number): number {
  let i = from;
  while (i < tokens.length && tokens[i].kind === 'word' && FILLERS.has(tokens[i].normal)) i++;
  return i;
}

/** The action after a modal: fillers skipped, "try to" skipped; -1 when there is none or it is negated. */
function actionAfter(tokens: readonly TaggedToken[], from: number): number {
  const i = skipFillers(tokens, from);
  const t = tokens[i];
  if (!t || t.normal === 'not' || t.normal === 'never' || t.normal === "n't") return -1;
  const next = tokens[i + 1]?.normal;
  // "find out why", "have the fix ready": verbs that name work only with what follows them.
  if (t.normal === 'find' && next === 'out') return i;
  if (t.normal === 'have' && (next === 'the' || next === 'a' || next === 'it')) return i;
  // "double-check", "re-run": the tagger splits at the hyphen; the second half names the work.
  if (tokens[i + 1]?.value === '-' && isActionVerb(tokens[i + 2], { baseForm: false })) return i;
  // "(we kindly) ask you to return": the work is the second verb.
  if (t.lemma === 'ask' && (next === 'you' || next === 'everyone') && tokens[i + 2]?.normal === 'to') return actionAfter(tokens, i + 3);
  return isActionVerb(t) ? i : -1;
}

/** "fixing", "sending": a verb in progress that names work. */
function isProgressive(t: TaggedToken | undefined): boolean {
  return t !== undefined && t.kind === 'word' && t.pos === 'VERB' && t.normal.endsWith('ing') && t.normal !== t.lemma && !NOT_ACTIONS.has(t.lemma) && t.normal !== 'going';
}

/** Where the sentence's own words start: greetings and acknowledgements ("ok", "sure,") skipped. */
export function sentenceStart(tokens: readonly TaggedToken[]): number {
  let i = 0;
  while (i < tokens.length && (INTERJECTIONS.has(tokens[i].normal) || tokens[i].kind === 'punctuation' || tokens[i].kind === 'emoji')) i++;
  return i;
}

/**
 * Who is addressed or named as doer: a mention anywhere before the action, or a name opening the
 * sentence ("Dima, can you", "giulia can you", "Ana will"). `isPersonName` says whether a word is
 * the name or handle of someone known; an unknown capitalised word followed by a comma and a
 * request counts as an addressee too (its owner then stays empty).
 */
export function findAddressee(tokens: readonly TaggedToken[], before: number, isPersonName: (word: string) => boolean, from = 0): number | undefined {
  for (let i = from; i < before; i++) if (tokens[i].kind === 'mention') return i;
  const start = sentenceStart(tokens);
  // A name opening the sentence addresses its first clause only.
  if (from > start) return undefined;
  const first = tokens[start];
  if (!first || first.kind !== 'word' || start >= before) return undefined;
  const next = tokens[start + 1];
  if (isPersonName(first.value) && next && (next.value === ',' || ASKING_MODALS.has(next.normal) || PLEASE.has(next.normal) || isActionVerb(next))) return start;
  if (first.pos === 'PROPN' && /^\p{Lu}/u.test(first.value) && next?.value === ',' && (PLEASE.has(tokens[start + 2]?.normal) || ASKING_MODALS.has(tokens[start + 2]?.normal))) return start;
  return undefined;
}

/**
 * The task cues of a sentence in the order they appear, one per action ("I'll fix the export and
 * @bob can you deploy it" holds two); none when its wording commits, asks or assigns nothing.
 */
export function findTaskCues(tokens: readonly TaggedToken[], isPersonName: (word: string) => boolean): TaskCue[] {
  const found: TaskCue[] = [];
  const n = (i: number) => tokens[i]?.normal ?? '';
  const start = sentenceStart(tokens);

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!isWord(t)) continue;
    const word = t.normal;

    // Commitment: "I will fix", "I'll fix", "we're going to add", "I'm gonna fix", "I am about to".
    const subject = SUBJECTS[word.replace('’', "'")];
    if (subject) {
      let j = skipFillers(tokens, i + 1);
      // The tagger keeps "I'm" and "we're" whole: the verb "be" is inside the subject token.
      const be = subject.be || n(j) === 'am' || n(j) === 'are' || n(j) === "'m" || n(j) === "'re";
      if (!subject.be && be) j++;
      let form = '';
      if (!be && (n(j) === 'will' || n(j) === 'shall')) {
        form = 'will';
        j++;
      } else if (be && (n(j) === 'going' || n(j) === 'about') && n(j + 1) === 'to') {
        form = 'going to';
        j += 2;
      } else if (PLANS.has(tokens[j]?.lemma ?? '') && n(j + 1) === 'to' && (!be || n(j).endsWith('ing'))) {
        // "we plan to launch", "I'm planning to add": a plan, a little less sure than "will".
        const action = actionAfter(tokens, j + 2);
        if (action >= 0) found.push({ trigger: i, kind: 'commitment', action, form: `${subject.person} + ${n(j)} to + verb`, strength: 0.6 });
        continue;
      } else if (n(j) === 'gonna') {
        form = 'gonna';
        j++;
      }
      if (form) {
        const action = actionAfter(tokens, j);
        if (action >= 0) found.push({ trigger: i, kind: 'commitment', action, form: `${subject.person} + ${form} + verb`, strength: subject.person === 'first person' ? 0.75 : 0.7 });
        continue;
      }
      // "I'm fixing it now": in progress, taken on by the writer; as weak as a status report without a time.
      if (be && isProgressive(tokens[j])) {
        found.push({ trigger: i, kind: 'commitment', action: j, form: `${subject.person} + verb in progress`, strength: 0.45 });
      }
      continue;
    }

    // Subject dropped, as chat does: "will fix it today", "gonna upgrade postgres".
    if ((i === start || tokens[i - 1]?.value === ',' || tokens[i - 1]?.normal === 'and') && (word === 'will' || word === 'gonna')) {
      const action = actionAfter(tokens, i + 1);
      if (action >= 0) found.push({ trigger: i, kind: 'commitment', action, form: `${word} + verb, subject left out`, strength: 0.65 });
      continue;
    }

    // "let me check why...", "lemme check"
    if ((word === 'let' && n(i + 1) === 'me') || word === 'lemme') {
      const action = actionAfter(tokens, word === 'lemme' ? i + 1 : i + 2);
      if (action >= 0) found.push({ trigger: i, kind: 'commitment', action, form: 'let me + verb', strength: 0.7 });
      continue;
    }

    // "fixing the broken cron asap", "sending the invoice today": in progress, subject left out.
    if (i === start && isProgressive(t)) {
      found.push({ trigger: i, kind: 'commitment', action: i, form: 'verb in progress, subject left out', strength: 0.4 });
      continue;
    }

    // "can you deploy", "could someone update", "would you mind sending".
    if (ASKING_MODALS.has(word) && (HEARERS.has(n(i + 1)) || ANYONE.has(n(i + 1)))) {
      let j = i + 2;
      if (n(j) === 'guys' || n(j) === 'all') j++;
      if (n(j) === 'mind' && tokens[j + 1]?.normal.endsWith('ing')) {
        found.push({ trigger: i, kind: 'request', action: j + 1, form: 'would you mind + verb', strength: 0.65 });
        continue;
      }
      if (PLEASE.has(n(j))) j++;
      const action = actionAfter(tokens, j);
      if (action >= 0) {
        const anyone = ANYONE.has(n(i + 1));
        found.push({ trigger: i, kind: 'request', action, form: anyone ? `${word} ${n(i + 1)} + verb` : `${word} you + verb`, strength: anyone ? 0.65 : 0.6 });
      }
      continue;
    }

    // "(I'd appreciate it) if you could explain", "would it be possible to receive": requests in polite dress.
    if (HEARERS.has(word) && n(i - 1) === 'if' && ASKING_MODALS.has(n(i + 1))) {
      const action = actionAfter(tokens, i + 2);
      if (action >= 0) found.push({ trigger: i - 1, kind: 'request', action, form: 'if you could + verb', strength: 0.6 });
      continue;
    }
    if (word === 'possible' && n(i - 1) === 'be' && n(i - 2) === 'it') {
      const j = n(i + 1) === 'for' ? i + 3 : i + 1;
      const action = n(j) === 'to' ? actionAfter(tokens, j + 1) : -1;
      if (action >= 0) found.push({ trigger: Math.max(0, i - 3), kind: 'request', action, form: 'would it be possible to + verb', strength: 0.55 });
      continue;
    }
    // "chen - mind reviewing the schema change?": the addressee, then "mind" and the work.
    if (word === 'mind' && tokens[i + 1]?.pos === 'VERB' && tokens[i + 1].normal.endsWith('ing') && tokens.slice(0, i).every((b) => b.kind !== 'word' || INTERJECTIONS.has(b.normal) || isPersonName(b.value))) {
      found.push({ trigger: i, kind: 'request', action: i + 1, form: 'mind + verb', strength: 0.6 });
      continue;
    }

    // "please fix", "pls send me", "kindly submit".
    if (PLEASE.has(word)) {
      // "pls someone restart the queue"
      const anyone = ANYONE.has(n(i + 1));
      const action = actionAfter(tokens, anyone ? i + 2 : i + 1);
      if (action >= 0) found.push({ trigger: i, kind: 'request', action, form: 'please + verb', strength: 0.65 });
      continue;
    }

    // "someone needs to fix", "need someone to fix", "we need to add", "X needs to be updated".
    if (t.lemma === 'need' && t.pos !== 'NOUN') {
      // The subject before "need", fillers skipped ("someone also needs to").
      let k = i - 1;
      while (k > 0 && FILLERS.has(n(k))) k--;
      const subject = n(k);
      if (ANYONE.has(subject) && n(i + 1) === 'to') {
        const action = actionAfter(tokens, i + 2);
        if (action >= 0) found.push({ trigger: k, kind: 'request', action, form: `${subject} needs to + verb`, strength: 0.65 });
      } else if (ANYONE.has(n(i + 1)) && n(i + 2) === 'to') {
        const action = actionAfter(tokens, i + 3);
        if (action >= 0) found.push({ trigger: i, kind: 'request', action, form: `need ${n(i + 1)} to + verb`, strength: 0.65 });
      } else if (subject === 'we' && n(i + 1) === 'to') {
        const action = actionAfter(tokens, i + 2);
        if (action >= 0) found.push({ trigger: k, kind: 'request', action, form: 'we need to + verb', strength: 0.55 });
      } else if ((subject === 'we' || subject === 'i' || i === start) && n(i + 1) !== 'to') {
        // "we need the legal review done by Friday": a need of a thing, a task only with a deadline.
        found.push({ trigger: subject === 'we' || subject === 'i' ? k : i, kind: 'request', action: i, form: 'need + object', strength: 0.35 });
      }
      continue;
    }
  }

  // "@hiro please fix" is found by "please"; "@jonas update the deps" (addressee then a bare verb) here.
  const first = found.length === 0 ? null : found.reduce((a, b) => (b.strength > a.strength ? b : a));
  const addressee = findAddressee(tokens, first ? first.action : tokens.length, isPersonName);
  if (addressee !== undefined) {
    let j = addressee + 1;
    while (tokens[j] && (tokens[j].value === ',' || tokens[j].value === ':' || tokens[j].kind === 'mention')) j++;
    if (n(j) === 'will' || (n(j) === 'is' && n(j + 1) === 'going' && n(j + 2) === 'to')) {
      const action = actionAfter(tokens, n(j) === 'will' ? j + 1 : j + 3);
      if (action >= 0 && isPersonName(tokens[addressee].value.replace(/^@/, ''))) found.push({ trigger: addressee, kind: 'assignment', action, form: 'named person + will + verb', strength: 0.6, addressee });
    } else if (!first) {
      const action = actionAfter(tokens, j);
      if (action >= 0) found.push({ trigger: addressee, kind: 'assignment', action, form: 'addressee + verb', strength: 0.65, addressee });
    }
  }

  // A bare imperative opening the sentence ("deploy it by Friday"): a task only with a deadline.
  if (found.length === 0 && isActionVerb(tokens[start]) && tokens[start].pos === 'VERB' && !/^\p{Lu}{2,}/u.test(tokens[start].value)) {
    found.push({ trigger: start, kind: 'request', action: start, form: 'imperative', strength: 0.35 });
  }

  if (found.length === 0) return [];
  // One cue per action, the strongest ("could you please confirm": "could you" and "please" name one action).
  const byAction = new Map<number, TaskCue>();
  for (const cue of found) {
    const held = byAction.get(cue.action);
    const trigger = Math.min(cue.trigger, held?.trigger ?? cue.trigger);
    byAction.set(cue.action, !held || cue.strength > held.strength ? { ...cue, trigger } : { ...held, trigger });
  }
  const cues = [...byAction.values()].sort((a, b) => a.trigger - b.trigger);
  return cues.map((cue, index) => {
    // An addressed request is an assignment: "@ana can you deploy it". The addressee is looked for in the cue's own clause.
    if (cue.kind !== 'request' || cue.addressee !== undefined || cue.form.startsWith('need') || /someone|somebody|anyone|anybody|everyone/.test(cue.form)) return cue;
    const from = index === 0 ? 0 : cues[index - 1].action + 1;
    const to = findAddressee(tokens, cue.action, isPersonName, from);
    return to === undefined ? cue : { ...cue, kind: 'assignment' as const, addressee: to, strength: cue.strength + 0.15, form: `addressee + ${cue.form}` };
  });
}
