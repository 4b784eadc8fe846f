import { KnowledgeGraphErrorCode as Code } from '@modules/knowledge/domain/knowledge-graph/knowledge-graph.errors';

/** Every knowledge-graph refusal's HTTP status (exhaustive). */
export const knowledgeGraphErrorStatuses: Record<Code, number> = {
  [Code.TopicNotFound]: 404,
  [Code.TopicNameTaken]: 409,
  [Code.TopicArchived]: 422,
  [Code.AtomNotFound]: 404,
  [Code.AtomArchived]: 422,
  [Code.VersionNotFound]: 404,
  // RFC 9110: a failed If-Match is 412 Precondition Failed.
  [Code.StaleVersion]: 412,
  [Code.MembershipNotFound]: 404,
  [Code.LinkNotFound]: 404,
  [Code.MessageNotFound]: 404,
  [Code.MessageTopicNotFound]: 404,
};
