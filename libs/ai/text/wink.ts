import type winkNLPType from 'wink-nlp';
import type { WinkMethods } from 'wink-nlp';
import type modelType from 'wink-eng-lite-web-model';

/** The token kinds the platform's readers of wink's output share (each adds its own rest). */
export type WinkTokenKind = 'word' | 'number' | 'url' | 'email' | 'mention' | 'hashtag' | 'emoji' | 'punctuation' | 'symbol' | 'space';

/** wink's token types by the kind the platform reads them as; an unlisted type (`unk`) is the reader's call. */
export const WINK_TOKEN_KINDS: Readonly<Record<string, WinkTokenKind>> = {
  word: 'word',
  alpha: 'word',
  apos: 'word',
  shortForm: 'word',
  wordRP: 'word',
  number: 'number',
  ordinal: 'number',
  decade: 'number',
  time: 'number',
  currency: 'symbol',
  url: 'url',
  email: 'email',
  mention: 'mention',
  hashtag: 'hashtag',
  emoji: 'emoji',
  emoticon: 'emoji',
  punctuation: 'punctuation',
  symbol: 'symbol',
  tabCRLF: 'space',
};

/**
 * wink adds every word it has not seen to its instance's lexicon; past this many the instance is
 * replaced, so a long-running process does not grow with every name and id it ever read.
 */
export const MAX_NEW_LEXEMES = 100_000;

export interface WinkInstance {
  nlp: WinkMethods;
  /** The first id wink gives a word outside its lexicon: ids below it are English lexicon entries. */
  firstNewLexeme: number;
}

/**
 * A wink-nlp instance with its English "lite web" model and the given pipes. Required here, on
 * first use, not at import: the model costs ~20 MB of RSS once required, ~35 MB more instantiated.
 * Callers bound their input first: wink's tokenizer is quadratic on long runs without white space.
 */
export function loadWink(pipes: string[]): WinkInstance {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const winkNLP = require('wink-nlp') as typeof winkNLPType;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const model = require('wink-eng-lite-web-model') as typeof modelType;
  const nlp = winkNLP(model, pipes as Parameters<typeof winkNLPType>[1]);
  // A word no lexicon has: wink appends it right past its intrinsic lexicon.
  const probe = nlp.readDoc('qzxjvkwqzb').tokens().out(nlp.its.uniqueId) as unknown as number[];
  return { nlp, firstNewLexeme: probe[0] };
}

/** Whether a read that saw lexeme ids up to `newestId` grew the instance past MAX_NEW_LEXEMES (replace it). */
export function winkOutgrown(instance: WinkInstance, newestId: number): boolean {
  return newestId - instance.firstNewLexeme > MAX_NEW_LEXEMES;
}
