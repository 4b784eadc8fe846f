import { Injectable } from '@nestjs/common';
import type { ItsFunction } from 'wink-nlp';
import { fnv1a, mix32 } from '@libs/ai/text/hash';
import { loadWink, WINK_TOKEN_KINDS, WinkInstance, winkOutgrown } from '@libs/ai/text/wink';
import { MessageToken, MessageTokenizer, TokenKind } from '@modules/ingestion/domain/noise/message-token';

/** Long content (call transcripts, email threads) is scored on its beginning: the factors saturate long before. */
export const MAX_TOKENIZED_CHARS = 10_000;

/**
 * Runs without white space are cut to this many characters before wink reads them: its tokenizer
 * is quadratic in the length of such a run (10,000 characters of one "word", a base64 blob or
 * "a.a.a...": over a second of a blocked event loop). A real word, link or address is shorter;
 * a cut link still reads as a link.
 */
export const MAX_RUN_CHARS = 100;

/**
 * The part of `text` the scorer reads: its beginning, with over-long runs cut (one linear pass).
 * A cut run ends with a hash of the whole run, so two messages that differ only past the cut
 * (a paragraph of CJK text is one run) keep different fingerprints.
 */
export function tokenizerInput(text: string): string {
  const head = text.length > MAX_TOKENIZED_CHARS ? text.slice(0, MAX_TOKENIZED_CHARS) : text;
  return head.replace(/\S+/g, (run) => {
    if (run.length <= MAX_RUN_CHARS) return run;
    // Never leave half of a surrogate pair at the cut.
    const high = run.charCodeAt(MAX_RUN_CHARS - 1);
    return `${run.slice(0, high >= 0xd800 && high <= 0xdbff ? MAX_RUN_CHARS - 1 : MAX_RUN_CHARS)}${mix32(fnv1a(run)).toString(36)}`;
  });
}

interface Instance extends WinkInstance {
  /** Lexicon membership of lower-cased forms ("BROKEN" and "Team" are not entries, "broken" and "team" are). */
  lowerKnown: Map<string, boolean>;
}

const MAX_LOWER_CACHE = 50_000;

/**
 * The MessageTokenizer on wink-nlp with its English "lite web" model: tokens typed as words,
 * numbers, URLs, emails, mentions, hashtags, emoji and emoticons, with normal forms (contractions
 * and short forms expanded), porter stems, stop-word flags and lexicon membership. The model
 * (~55 MB of RSS) is loaded on first use, so processes that never score a message never pay for it.
 */
@Injectable()
export class WinkTokenizer extends MessageTokenizer {
  private instance?: Instance;

  tokenize(text: string): MessageToken[] {
    const instance = this.current();
    const { nlp, firstNewLexeme } = instance;
    const its = nlp.its;
    const tokens = nlp.readDoc(tokenizerInput(text)).tokens();
    const values = tokens.out() as string[];
    const types = tokens.out(its.type) as string[];
    const normals = tokens.out(its.normal) as string[];
    // wink's typings declare stem's arguments apart from the other token helpers'.
    const stems = tokens.out(its.stem as unknown as ItsFunction<string>) as string[];
    const stops = tokens.out(its.stopWordFlag) as unknown as boolean[];
    const ids = tokens.out(its.uniqueId) as unknown as number[];
    const out: MessageToken[] = new Array(values.length);
    let newest = 0;
    for (let i = 0; i < values.length; i++) {
      const raw = types[i];
      // wink types words of scripts outside its model (Cyrillic, CJK...) as "unk".
      const kind: TokenKind = WINK_TOKEN_KINDS[raw] ?? (raw === 'unk' && /\p{L}/u.test(values[i]) ? 'word' : 'other');
      out[i] = {
        value: values[i],
        normal: normals[i],
        stem: kind === 'word' ? stems[i] : normals[i],
        kind,
        stopWord: stops[i] === true,
        known: ids[i] < firstNewLexeme || (kind === 'word' && values[i] !== values[i].toLowerCase() && this.knownLower(instance, values[i].toLowerCase())),
      };
      if (ids[i] > newest) newest = ids[i];
    }
    if (winkOutgrown(instance, newest)) this.instance = undefined;
    return out;
  }

  private knownLower(instance: Instance, lower: string): boolean {
    let known = instance.lowerKnown.get(lower);
    if (known === undefined) {
      const ids = instance.nlp.readDoc(lower).tokens().out(instance.nlp.its.uniqueId) as unknown as number[];
      known = ids.length === 1 && ids[0] < instance.firstNewLexeme;
      if (instance.lowerKnown.size >= MAX_LOWER_CACHE) instance.lowerKnown.clear();
      instance.lowerKnown.set(lower, known);
    }
    return known;
  }

  private current(): Instance {
    this.instance ??= { ...loadWink([]), lowerKnown: new Map() };
    return this.instance;
  }

}
