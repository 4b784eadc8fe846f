/**
 * What Ask searches for. A follow-up ("what about its price?") names its topic only through
 * the conversation, so on its own it retrieves whatever mentions prices. A question that
 * refers back (a pronoun, "same", "also") or is too short to stand alone gets the content words
 * of the conversation's topic added: the last earlier question that stood on its own.
 */

const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have how i if in into is it its me my no not of on or our ' +
    'please should so than that the their them then there these they this those to too us was we were what when where which who whom why ' +
    'will with would you your about any anything some tell know say said show give get got also just more most other same such only very ' +
    'he she him her his hers ones one thing things'
  ).split(' '),
);

/**
 * Words that point back to something said before. Not "that" or "there": they are mostly
 * relative ("the feature that...") or existential ("is there a way...") in a standalone question.
 */
const BACK_REFERENCES = new Set(['it', 'its', 'itself', 'this', 'these', 'those', 'they', 'them', 'their', 'theirs', 'he', 'him', 'his', 'she', 'her', 'hers', 'same', 'else', 'former', 'latter']);

/** A question with fewer content words leans on its context ("and pricing?"). */
const STANDALONE_MIN_CONTENT_WORDS = 2;

/** Lower-cased words, possessives reduced ("sync's" -> "sync", "it's" -> "it"). */
function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu) ?? []).map((w) => w.replace(/['’]s$/, ''));
}

export function contentWords(text: string): string[] {
  return [...new Set(words(text).filter((w) => w.length > 1 && !STOPWORDS.has(w)))];
}

/** Whether a question needs the conversation to be understood. */
export function isFollowUp(question: string): boolean {
  return words(question).some((w) => BACK_REFERENCES.has(w)) || contentWords(question).length < STANDALONE_MIN_CONTENT_WORDS;
}

/**
 * The search query for `question`, given the earlier questions of its conversation (oldest
 * first). A standalone question is searched as asked.
 */
export function retrievalQuery(question: string, earlierQuestions: readonly string[]): string {
  if (earlierQuestions.length === 0 || !isFollowUp(question)) return question;
  const topic = [...earlierQuestions].reverse().find((q) => !isFollowUp(q)) ?? earlierQuestions[0];
  const own = new Set(contentWords(question));
  const added = contentWords(topic).filter((w) => !own.has(w));
  return added.length ? `${question} ${added.join(' ')}` : question;
}

/**
 * The query for full-text search alone (websearch syntax), when semantic search is unavailable:
 * any of the words, like the full-text leg of hybrid search, since a question seldom has all
 * of its words in one message. The relevance bar then keeps the hits that cover enough of them.
 */
export function anyWordQuery(query: string): string {
  const terms = contentWords(query);
  return terms.length ? terms.join(' or ') : query;
}
