import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { TopicEvent } from '@modules/knowledge/domain/topic/topic.events';

type D<T extends TopicEvent['type']> = Extract<TopicEvent, { type: T }>['data'];

export interface TopicRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  name: string;
  description: string;
  icon: string | null;
  color: string | null;
  version: number;
  /** The latest version is approved. */
  approved: boolean;
  approved_version: number | null;
  /** The stream's version: the topic's ETag (memberships move it too). */
  stream_version: number;
  created_by: string | null;
  archived_at: string | null;
  created_at: string;
  updated_at: string;
  // Written by the knowledge.graph-embeddings consumer; the handlers carry them over.
  embedding: string | null;
  embedding_model: string | null;
  embedding_text_md5: string | null;
  embedding_updated_at: string | null;
  classified_embedding_at: string | null;
}

/** knowledge_topics_view (seed 003 topics). Inline: the API reads its own writes. */
export class TopicsProjection extends RowProjection<TopicRow> {
  readonly name = 'knowledge.topics';
  readonly table = 'knowledge_topics_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { topicId: string }).topicId;
  }

  private static moved(r: TopicRow, e: RecordedEvent): TopicRow {
    return { ...r, stream_version: e.streamVersion };
  }

  readonly handlers: Record<string, RowHandler<TopicRow>> = {
    'knowledge.topic-created': (r, e) => {
      if (r) return r;
      const d = e.data as D<'knowledge.topic-created'>;
      return {
        id: d.topicId,
        workspace_id: d.workspaceId,
        name: d.name,
        description: d.description,
        icon: d.icon,
        color: d.color,
        version: 1,
        approved: false,
        approved_version: null,
        stream_version: e.streamVersion,
        created_by: e.actorId,
        archived_at: null,
        created_at: d.at,
        updated_at: d.at,
        embedding: null,
        embedding_model: null,
        embedding_text_md5: null,
        embedding_updated_at: null,
        classified_embedding_at: null,
      };
    },
    'knowledge.topic-updated': (r, e) => {
      const d = e.data as D<'knowledge.topic-updated'>;
      return r
        ? { ...TopicsProjection.moved(r, e), name: d.name, description: d.description, icon: d.icon, color: d.color, version: d.version, approved: false, updated_at: d.at }
        : null;
    },
    'knowledge.topic-version-approved': (r, e) => {
      const d = e.data as D<'knowledge.topic-version-approved'>;
      if (!r) return null;
      return {
        ...TopicsProjection.moved(r, e),
        approved: r.approved || d.version === r.version,
        approved_version: Math.max(r.approved_version ?? 0, d.version),
        updated_at: d.at,
      };
    },
    'knowledge.topic-archived': (r, e) => {
      const d = e.data as D<'knowledge.topic-archived'>;
      return r ? { ...TopicsProjection.moved(r, e), archived_at: d.at, updated_at: d.at } : null;
    },
    'knowledge.topic-atom-added': (r, e) => (r ? TopicsProjection.moved(r, e) : null),
    'knowledge.topic-atom-removed': (r, e) => (r ? TopicsProjection.moved(r, e) : null),
  };
}
