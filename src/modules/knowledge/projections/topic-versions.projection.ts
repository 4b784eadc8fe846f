import { TopicEvent, TopicSnapshot } from '@modules/knowledge/domain/topic/topic.events';
import { VersionRow, versionRowId, VersionsProjection } from './version-rows';

type D<T extends TopicEvent['type']> = Extract<TopicEvent, { type: T }>['data'];

export type TopicVersionRow = VersionRow<'topic_id', TopicSnapshot>;

export const topicVersionId = versionRowId;

/** knowledge_topic_versions_view (seed 003 topic_versions): one row per version of a topic. */
export class TopicVersionsProjection extends VersionsProjection<'topicId', 'topic_id', TopicSnapshot, D<'knowledge.topic-created'> | D<'knowledge.topic-updated'>> {
  readonly name = 'knowledge.topic-versions';
  readonly table = 'knowledge_topic_versions_view';

  constructor() {
    super({
      idField: 'topicId',
      idColumn: 'topic_id',
      created: 'knowledge.topic-created',
      updated: 'knowledge.topic-updated',
      approved: 'knowledge.topic-version-approved',
      snapshot: (d) => ({ name: d.name, description: d.description, icon: d.icon, color: d.color }),
    });
  }
}
