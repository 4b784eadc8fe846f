import { ApplicationError } from '@libs/common/errors/application-error';

/** Refusals of the knowledge graph (topics, atoms, their versions, memberships, links, message topics). */
export enum KnowledgeGraphErrorCode {
  TopicNotFound = 'KNOWLEDGE.TOPIC_NOT_FOUND',
  TopicNameTaken = 'KNOWLEDGE.TOPIC_NAME_TAKEN',
  TopicArchived = 'KNOWLEDGE.TOPIC_ARCHIVED',
  AtomNotFound = 'KNOWLEDGE.ATOM_NOT_FOUND',
  AtomArchived = 'KNOWLEDGE.ATOM_ARCHIVED',
  VersionNotFound = 'KNOWLEDGE.VERSION_NOT_FOUND',
  /** If-Match named a version the aggregate has moved past. */
  StaleVersion = 'KNOWLEDGE.STALE_VERSION',
  MembershipNotFound = 'KNOWLEDGE.TOPIC_ATOM_NOT_FOUND',
  LinkNotFound = 'KNOWLEDGE.ATOM_LINK_NOT_FOUND',
  MessageNotFound = 'KNOWLEDGE.MESSAGE_NOT_FOUND',
  MessageTopicNotFound = 'KNOWLEDGE.MESSAGE_TOPIC_NOT_FOUND',
}

export class KnowledgeGraphError extends ApplicationError {
  constructor(
    readonly code: KnowledgeGraphErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}
