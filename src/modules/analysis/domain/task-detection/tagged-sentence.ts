/**
 * A sentence as the task detector reads it: tokens with parts of speech from an NLP library
 * behind this port, so the domain stays free of the library (the adapter:
 * infrastructure/wink-sentence-tagger.ts).
 */
export type TaggedTokenKind = 'word' | 'number' | 'url' | 'email' | 'mention' | 'hashtag' | 'emoji' | 'punctuation' | 'symbol' | 'other';

export interface TaggedToken {
  /** As written. */
  value: string;
  /** Lower-cased, contractions and chat short forms expanded ("'ll" -> "will", "pls" -> "please"). */
  normal: string;
  /** Dictionary form ("fixed" -> "fix", "crashes" -> "crash"); the normal form when there is none. */
  lemma: string;
  /** Universal part-of-speech tag (VERB, AUX, NOUN, PROPN, PRON, ADP...). */
  pos: string;
  kind: TaggedTokenKind;
}

export interface TaggedSentence {
  /** The sentence as written (the quote a proposal shows). */
  text: string;
  tokens: TaggedToken[];
}

export abstract class SentenceTagger {
  /** Sentences of `text` in order; never throws on odd input (control characters, any script). */
  abstract sentences(text: string): TaggedSentence[];
}
