import { DEFAULT_TOPIC_MATCH_POLICY, isTopicMatch, mentionsTopic, minCandidateSimilarity, topicMatchPolicy, topicMatchScore } from './topic-match';

describe('topic match: similarity plus a boost when the message names the topic', () => {
  const policy = topicMatchPolicy('offline-hashing-v1');

  it('finds the name as a whole word or phrase, any case, plural allowed', () => {
    expect(mentionsTopic('We have a BILLING problem', 'Billing')).toBe(true);
    expect(mentionsTopic('two invoices were wrong', 'Invoice')).toBe(true);
    expect(mentionsTopic('the data-export keeps failing', 'Data export')).toBe(true);
    expect(mentionsTopic('rebilling is not the same word', 'Billing')).toBe(false);
    expect(mentionsTopic('the c++ (beta) sdk', 'C++ (beta)')).toBe(true);
    expect(mentionsTopic('anything', '   ')).toBe(false);
  });

  it('a mention lifts a near miss over the threshold, never a far one', () => {
    const near = policy.threshold - policy.nameBoost / 2;
    expect(isTopicMatch(topicMatchScore(near, false, policy), policy)).toBe(false);
    expect(isTopicMatch(topicMatchScore(near, true, policy), policy)).toBe(true);
    expect(isTopicMatch(topicMatchScore(minCandidateSimilarity(policy) - 0.01, true, policy), policy)).toBe(false);
    expect(topicMatchScore(0.95, true, policy)).toBe(1);
    expect(topicMatchScore(-0.2, false, policy)).toBe(0);
  });

  it('thresholds belong to an embedding space: an uncalibrated model gets the conservative default', () => {
    expect(topicMatchPolicy('text-embedding-3-small')).toEqual(DEFAULT_TOPIC_MATCH_POLICY);
    expect(DEFAULT_TOPIC_MATCH_POLICY.threshold).toBeGreaterThan(policy.threshold);
  });
});
