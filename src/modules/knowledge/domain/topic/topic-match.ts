/**
 * How a message is matched to a topic: the best cosine similarity between the topic's embedding
 * (name + description) and the message's chunk embeddings, plus a boost when the message names
 * the topic outright. A message is about the topic when the score reaches the threshold.
 *
 * Thresholds belong to an embedding space: cosine values of different models are not on one
 * scale. The offline embedder's (`offline-hashing-v1`) was calibrated on the labelled messages of
 * test/e2e/knowledge-topics.e2e.spec.ts and six unrelated probe topics: messages about a topic
 * scored 0.09-0.39 against it (most above 0.3), unrelated message/topic pairs at most 0.17. 0.2
 * keeps every unrelated pair out with a margin, at the price of missing related messages that
 * share few words with the description (recall about 2/3 there, precision 1). Other models get a
 * conservative default until calibrated on their own data.
 */
export interface TopicMatchPolicy {
  threshold: number;
  nameBoost: number;
}

const CALIBRATED: Record<string, TopicMatchPolicy> = {
  'offline-hashing-v1': { threshold: 0.2, nameBoost: 0.12 },
};

/** Dense models (e.g. text-embedding-3-small) put unrelated short texts up to about 0.3. */
export const DEFAULT_TOPIC_MATCH_POLICY: TopicMatchPolicy = { threshold: 0.4, nameBoost: 0.1 };

export function topicMatchPolicy(model: string): TopicMatchPolicy {
  return CALIBRATED[model] ?? DEFAULT_TOPIC_MATCH_POLICY;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The topic's name as a whole word or phrase (any case, a plural "s" allowed), e.g. "Billing" in "billing issue". */
export function mentionsTopic(text: string, topicName: string): boolean {
  const words = topicName.trim().split(/\s+/).filter(Boolean).map(escape);
  if (words.length === 0) return false;
  const re = new RegExp(`(?:^|[^\\p{L}\\p{N}])${words.join('[\\s\\-_]+')}(?:e?s)?(?:$|[^\\p{L}\\p{N}])`, 'iu');
  return re.test(text);
}

export function topicMatchScore(similarity: number, mentioned: boolean, policy: TopicMatchPolicy): number {
  return Math.min(1, Math.max(0, similarity) + (mentioned ? policy.nameBoost : 0));
}

export const isTopicMatch = (score: number, policy: TopicMatchPolicy) => score >= policy.threshold;

/** Below this similarity even a mention cannot reach the threshold: only closer pairs need their text read. */
export const minCandidateSimilarity = (policy: TopicMatchPolicy) => policy.threshold - policy.nameBoost;
