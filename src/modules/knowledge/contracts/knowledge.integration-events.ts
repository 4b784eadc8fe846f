/**
 * What knowledge tells other modules (analysis, crm, outreach) through the log: event type
 * names with primitive, versioned payloads. Filled in as the knowledge events land.
 */
export const KnowledgeEvents = {} as const;
