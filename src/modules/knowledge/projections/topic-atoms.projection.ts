import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { TopicEvent } from '@modules/knowledge/domain/topic/topic.events';

type D<T extends TopicEvent['type']> = Extract<TopicEvent, { type: T }>['data'];

export interface TopicAtomRow extends Record<string, unknown> {
  /** `<topicId>:<atomId>`. */
  id: string;
  workspace_id: string;
  topic_id: string;
  atom_id: string;
  position: number;
  note: string | null;
  created_at: string;
  updated_at: string;
}

/** knowledge_topic_atoms_view (seed 003 topic_atoms): the atoms of each topic, with position and note. */
export class TopicAtomsProjection extends RowProjection<TopicAtomRow> {
  readonly name = 'knowledge.topic-atoms';
  readonly table = 'knowledge_topic_atoms_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    const d = e.data as { topicId: string; atomId: string };
    return `${d.topicId}:${d.atomId}`;
  }

  readonly handlers: Record<string, RowHandler<TopicAtomRow>> = {
    'knowledge.topic-atom-added': (r, e) => {
      const d = e.data as D<'knowledge.topic-atom-added'>;
      return {
        id: `${d.topicId}:${d.atomId}`,
        workspace_id: e.workspaceId!,
        topic_id: d.topicId,
        atom_id: d.atomId,
        position: d.position,
        note: d.note,
        created_at: r?.created_at ?? d.at,
        updated_at: d.at,
      };
    },
    'knowledge.topic-atom-removed': () => null,
  };
}
