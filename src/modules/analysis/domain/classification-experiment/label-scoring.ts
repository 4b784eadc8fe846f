/**
 * How the built-in classifier turns similarities into a label and an honest confidence. Each
 * label scores its cosine similarity to the message (offline hashing embeddings of the message
 * and of "name. description"), plus MENTION_BOOST when the message names the label outright.
 * The confidence is the chosen label's share of a softmax over all scores at
 * SOFTMAX_TEMPERATURE: a clear winner gets most of the mass, a near tie about 1/labels. The
 * temperature fits the offline embedder's scale (related texts score 0.1-0.4, unrelated under
 * 0.15, see knowledge's topic-match.ts): a lead of 0.1 is a ratio of e^2, about 7 to 1.
 */
export const MENTION_BOOST = 0.12;
export const SOFTMAX_TEMPERATURE = 0.05;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The label's name as a whole word or phrase (any case, a plural "s" allowed). */
export function mentionsLabel(text: string, name: string): boolean {
  const words = name.trim().split(/\s+/).filter(Boolean).map(escape);
  if (words.length === 0) return false;
  return new RegExp(`(?:^|[^\\p{L}\\p{N}])${words.join('[\\s\\-_]+')}(?:e?s)?(?:$|[^\\p{L}\\p{N}])`, 'iu').test(text);
}

export interface ScoredLabel {
  label: string;
  score: number;
}

/** The best label (first on a tie) and its softmax share; null for no labels. */
export function bestLabel(scores: ScoredLabel[], temperature = SOFTMAX_TEMPERATURE): { label: string; confidence: number } | null {
  if (scores.length === 0) return null;
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i].score > scores[best].score) best = i;
  const top = scores[best].score;
  // Shifted by the top score: exp never overflows.
  const weights = scores.map((s) => Math.exp((s.score - top) / temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  return { label: scores[best].label, confidence: weights[best] / total };
}
