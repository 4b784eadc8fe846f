import { Injectable } from '@nestjs/common';
import type { ItemSentence, ItsFunction } from 'wink-nlp';
import { loadWink, WINK_TOKEN_KINDS, WinkInstance, winkOutgrown } from '@libs/ai/text/wink';
import { SentenceTagger, TaggedSentence, TaggedTokenKind } from '@modules/analysis/domain/task-detection/tagged-sentence';

/**
 * The SentenceTagger on wink-nlp with its English "lite web" model: sentence boundaries,
 * universal parts of speech, lemmas and normal forms. The detector bounds its input first
 * (domain/task-detection/detection-text.ts): wink's tokenizer is quadratic on long runs without
 * white space. The model is loaded on first use.
 */
@Injectable()
export class WinkSentenceTagger extends SentenceTagger {
  private instance?: WinkInstance;

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
            const known = WINK_TOKEN_KINDS[raw];
            const kind: TaggedTokenKind = known && known !== 'space' ? known : raw === 'unk' && /\p{L}/u.test(value) ? 'word' : 'other';
            if (ids[i] > newest) newest = ids[i];
            return { value, normal: normals[i], lemma: kind === 'word' ? (lemmas[i] ?? normals[i]).toLowerCase() : normals[i], pos: pos[i] ?? 'X', kind };
          }),
        });
      });
    if (winkOutgrown(instance, newest)) this.instance = undefined;
    return out;
  }

  private current(): WinkInstance {
    this.instance ??= loadWink(['sbd', 'pos']);
    return this.instance;
  }

}
