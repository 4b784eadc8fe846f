import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { TopicEvent, TopicSnapshot } from '@modules/knowledge/domain/topic/topic.events';

type D<T extends TopicEvent['type']> = Extract<TopicEvent, { type: T }>['data'];

export interface TopicVersionRow extends Record<string, unknown> {
  /** `<topicId>:<version>`. */
  id: string;
  topic_id: string;
  workspace_id: string;
  version: number;
  data: TopicSnapshot;
  changed: string[];
  created_by: string | null;
  approved: boolean;
  approved_by: string | null;
  created_at: string;
  approved_at: string | null;
}

export const topicVersionId = (topicId: string, version: number) => `${topicId}:${version}`;

/**
 * knowledge_topic_versions_view (seed 003 topic_versions): one row per created/updated event of a
 * topic, its snapshot as the event carries it; the approval event marks its version.
 */
export class TopicVersionsProjection extends RowProjection<TopicVersionRow> {
  readonly name = 'knowledge.topic-versions';
  readonly table = 'knowledge_topic_versions_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    const d = e.data as { topicId: string; version: number };
    return topicVersionId(d.topicId, d.version);
  }

  private static version(e: RecordedEvent, d: D<'knowledge.topic-created'> | D<'knowledge.topic-updated'>, changed: string[]): TopicVersionRow {
    return {
      id: topicVersionId(d.topicId, d.version),
      topic_id: d.topicId,
      workspace_id: e.workspaceId!,
      version: d.version,
      data: { name: d.name, description: d.description, icon: d.icon, color: d.color },
      changed,
      created_by: e.actorId,
      approved: false,
      approved_by: null,
      created_at: d.at,
      approved_at: null,
    };
  }

  readonly handlers: Record<string, RowHandler<TopicVersionRow>> = {
    'knowledge.topic-created': (r, e) => r ?? TopicVersionsProjection.version(e, e.data as D<'knowledge.topic-created'>, []),
    'knowledge.topic-updated': (r, e) => {
      const d = e.data as D<'knowledge.topic-updated'>;
      return r ?? TopicVersionsProjection.version(e, d, d.changed);
    },
    'knowledge.topic-version-approved': (r, e) => {
      const d = e.data as D<'knowledge.topic-version-approved'>;
      return r ? { ...r, approved: true, approved_by: e.actorId, approved_at: d.at } : null;
    },
  };
}
