/**
 * The workspace's topics as a label set (analysis classifies messages against them in its
 * experiments). `KnowledgeTopics` is also the DI token (provided globally by knowledge).
 */
export interface TopicLabel {
  id: string;
  name: string;
  description: string;
}

export abstract class KnowledgeTopics {
  /** The workspace's topics that are not archived, by name. */
  abstract activeTopics(workspaceId: string): Promise<TopicLabel[]>;
}
