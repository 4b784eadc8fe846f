import { applyPriorityRules, classifyProject, ClassifiableProject } from './project-classification';

const billing: ClassifiableProject = { id: 'billing', keywords: ['invoice', 'stripe', 'refund'], glossary: { MRR: 'monthly revenue' }, components: [{ name: 'checkout' }], priorityRules: { critical: ['outage', 'double charge'], high: ['customer'] } };
const mobile: ClassifiableProject = { id: 'mobile', keywords: ['ios', 'android', 'app store'], glossary: {}, components: [], priorityRules: {} };

describe('project classification and priority rules', () => {
  it('picks the project whose keywords, glossary terms and components match most, with a confidence', () => {
    const c = classifyProject("I'll fix the Stripe refund flow in checkout tomorrow", [billing, mobile]);
    expect(c).toEqual({ projectId: 'billing', confidence: 0.9, keywordsMatched: ['stripe', 'refund', 'checkout'] });
    expect(classifyProject('Can you ship the iOS build?', [billing, mobile])).toEqual({ projectId: 'mobile', confidence: 0.5, keywordsMatched: ['ios'] });
  });

  it('no match: no project and zero confidence; whole words only', () => {
    expect(classifyProject('lunch at noon?', [billing, mobile])).toEqual({ projectId: null, confidence: 0, keywordsMatched: [] });
    expect(classifyProject('the invoicer service', [billing]).projectId).toBeNull();
  });

  it('a close runner-up lowers the confidence', () => {
    const c = classifyProject('refund on the android app', [billing, mobile]);
    expect(c.confidence).toBeLessThan(0.5);
  });

  it('priority rules raise to the highest matching level, never lower', () => {
    expect(applyPriorityRules('Customer reports a double charge', 'medium', billing.priorityRules)).toEqual({ priority: 'critical', rule: 'critical: "double charge"' });
    expect(applyPriorityRules('a customer asked', 'low', billing.priorityRules)).toEqual({ priority: 'high', rule: 'high: "customer"' });
    expect(applyPriorityRules('a customer asked', 'critical', billing.priorityRules)).toEqual({ priority: 'critical', rule: null });
    expect(applyPriorityRules('nothing here', 'low', {})).toEqual({ priority: 'low', rule: null });
  });
});
