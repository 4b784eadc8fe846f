import { Injectable } from '@nestjs/common';
import type winkNLPType from 'wink-nlp';
import type { ItemSentence, ItsFunction, WinkMethods } from 'wink-nlp';
import type modelType from 'wink-eng-lite-web-model';
import { SentenceTagger, TaggedSentence, TaggedTokenKind } from '@modules/analysis/domain/task-detection/tagged-sentence';

/**
 * wink adds every word it has not seen to its instance's lexicon; past this many the instance is
 * replaced, so a long-running process does not grow with every name and id it ever read.
 */
const MAX_NEW_LEXEMES = 100_000;

const KINDS: Record<string, TaggedTokenKind> = {
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
};

interface Instance {
  nlp: WinkMethods;
  firstNewLexeme: number;
}

/**
 * The SentenceTagger on wink-nlp with its English "lite web" model: sentence boundaries,
 * universal parts of speech, lemmas and normal forms. The detector bounds its input first
 * (domain/task-detection/detection-text.ts): wink's tokenizer is quadratic on long runs without
 * white space. The model is loaded on first use.
 */
@Injectable()
export class WinkSentenceTagger extends SentenceTagger {
  private instance?: Instance;

  sentences(text: string): TaggedSentence[] {
    const instance = this.current();
    const { nlp } = instance;
    const its = nlp.its;
    const out: TaggedSentence[] = [];
    let newest = 0;
    nlp
      .readDoc(text)
      .sentences()
      .each((sentence: ItemSentence) => {
        const tokens = sentence.tokens();
        const values = tokens.out() as string[];
        const types = tokens.out(its.type) as string[];
        const normals = tokens.out(its.normal) as string[];
        // wink's typings declare lemma's arguments apart from the other token helpers'.
        const lemmas = tokens.out(its.lemma as unknown as ItsFunction<string>) as string[];
        const pos = tokens.out(its.pos) as string[];
        const ids = tokens.out(its.uniqueId) as unknown as number[];
        out.push({
          text: sentence.out() as string,
          tokens: values.map((value, i) => {
            const raw = types[i];
            const kind: TaggedTokenKind = KINDS[raw] ?? (raw === 'unk' && /\p{L}/u.test(value) ? 'word' : 'other');
            if (ids[i] > newest) newest = ids[i];
            return { value, normal: normals[i], lemma: kind === 'word' ? (lemmas[i] ?? normals[i]).toLowerCase() : normals[i], pos: pos[i] ?? 'X', kind };
          }),
        });
      });
    if (newest - instance.firstNewLexeme > MAX_NEW_LEXEMES) this.instance = undefined;
    return out;
  }

  private current(): Instance {
    if (this.instance) return this.instance;
    // Required on first use: the model costs tens of MB of RSS.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const winkNLP = require('wink-nlp') as typeof winkNLPType;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const model = require('wink-eng-lite-web-model') as typeof modelType;
    const nlp = winkNLP(model, ['sbd', 'pos']);
    const probe = nlp.readDoc('qzxjvkwqzb').tokens().out(nlp.its.uniqueId) as unknown as number[];
    this.instance = { nlp, firstNewLexeme: probe[0] };
    return this.instance;
  }
}
