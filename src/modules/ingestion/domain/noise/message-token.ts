/**
 * A message as the noise scorer sees it: tokens from an NLP library behind this port, so the
 * domain stays free of the library (the adapter: infrastructure/wink-tokenizer.ts).
 */
export type TokenKind = 'word' | 'number' | 'url' | 'email' | 'mention' | 'hashtag' | 'emoji' | 'punctuation' | 'symbol' | 'space' | 'other';

export interface MessageToken {
  /** As written. */
  value: string;
  /** Lower-cased; the tokenizer expands contractions and common short forms ("can't" -> "can" "not", "thx" -> "thanks"). */
  normal: string;
  /** Stem of a word (porter: "crashes" -> "crash"); the normal form for anything else. */
  stem: string;
  kind: TokenKind;
  /** An English stop word ("the", "is", "you"). */
  stopWord: boolean;
  /** In the tokenizer's English lexicon: the language factor rests on the share of these. */
  known: boolean;
}

export abstract class MessageTokenizer {
  /** Tokens of `text` in order; never throws on odd input (control characters, any script). */
  abstract tokenize(text: string): MessageToken[];
}
