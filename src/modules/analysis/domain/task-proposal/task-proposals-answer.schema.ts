/**
 * The answer an agent gives for a batch of messages: the tasks it found, each resting on the
 * messages it quotes. An empty `tasks` list is a valid and common answer. The built-in task
 * config uses this schema; a workspace may write its own (a run validates against the task
 * config's schema, then reads these fields where present).
 */
export const TASK_PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export const TASK_CATEGORIES = ['bug', 'feature', 'improvement', 'question', 'chore'] as const;
export const LLM_RECOMMENDATIONS = ['new_task', 'update_existing', 'merge', 'reject'] as const;

export const TASK_PROPOSALS_ANSWER_SCHEMA: Record<string, unknown> = {
  type: 'object',
  required: ['tasks'],
  additionalProperties: false,
  properties: {
    tasks: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        required: ['title', 'sourceMessageIds', 'confidence', 'priority', 'category'],
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 500 },
          description: { type: 'string', maxLength: 10000 },
          sourceMessageIds: { type: 'array', minItems: 1, maxItems: 200, items: { type: 'string', minLength: 1 } },
          quotes: {
            type: 'array',
            items: { type: 'object', required: ['messageId', 'text'], properties: { messageId: { type: 'string' }, text: { type: 'string', maxLength: 2000 } } },
          },
          confidence: { type: 'number', minimum: 0, maximum: 1 },
          reasoning: { type: 'string', maxLength: 4000 },
          priority: { enum: [...TASK_PRIORITIES] },
          category: { enum: [...TASK_CATEGORIES] },
          recommendation: { enum: [...LLM_RECOMMENDATIONS] },
          /** A workspace user id or a known author's name, only when the text states it. */
          owner: { type: ['string', 'null'] },
          /** YYYY-MM-DD, only when the text states it. */
          dueDate: { type: ['string', 'null'], pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
          tags: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 100 } },
          subTasks: { type: 'array', maxItems: 20, items: { type: 'object', required: ['title'], properties: { title: { type: 'string', maxLength: 500 } } } },
        },
      },
    },
  },
};
