import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { CommandMetadata, scopedIdempotencyKey } from '@libs/eventsourcing/command-metadata';
import { diffSnapshots } from '@modules/knowledge/domain/knowledge-graph/version-diff';
import { KnowledgeGraphError, KnowledgeGraphErrorCode as Code } from '@modules/knowledge/domain/knowledge-graph/knowledge-graph.errors';
import { normaliseColor } from '@modules/knowledge/domain/topic/topic-color';
import { topicName } from '@modules/knowledge/domain/topic/topic.decider';
import { KnowledgeGraphAggregates, newEntityId } from '@modules/knowledge/infrastructure/knowledge-graph.aggregates';
import { atomResponse, KnowledgeGraphQueries, topicResponse, versionResponse } from '@modules/knowledge/infrastructure/knowledge-graph.queries';
import type { TopicRow } from '@modules/knowledge/projections/topics.projection';
import { AddTopicAtomRequestDto, CreateTopicRequestDto, UpdateTopicRequestDto } from './topics.request.dto';

export type TopicResponse = ReturnType<typeof topicResponse>;

@Injectable()
export class TopicsHandler {
  constructor(
    private readonly aggregates: KnowledgeGraphAggregates,
    private readonly queries: KnowledgeGraphQueries,
  ) {}

  async create(workspaceId: string, input: CreateTopicRequestDto, meta: CommandMetadata): Promise<TopicResponse> {
    // Refuse bad input before the name is claimed.
    const name = topicName(input.name);
    if (typeof input.color === 'string') normaliseColor(input.color);
    const topicId = newEntityId('topic', workspaceId, scopedIdempotencyKey(meta), input);
    const nameKey = name.toLowerCase();
    const claimed = await this.aggregates.topicNames.claim({ workspaceId, nameKey }, topicId, meta);
    try {
      await this.aggregates.topic.handle(
        topicId,
        { kind: 'create', topicId, workspaceId, name, description: input.description, icon: input.icon, color: input.color, now: meta.now },
        meta,
        { fingerprint: input },
      );
    } catch (err) {
      // Only a claim this request took (a retry under the same Idempotency-Key finds it taken by the same topic).
      if (claimed) await this.aggregates.topicNames.release({ workspaceId, nameKey }, topicId, meta).catch(() => undefined);
      throw err;
    }
    return topicResponse(await this.row(workspaceId, topicId));
  }

  async update(workspaceId: string, topicId: string, input: UpdateTopicRequestDto, meta: CommandMetadata): Promise<TopicResponse> {
    const current = await this.row(workspaceId, topicId);
    this.checkIfMatch(current, meta);
    if (current.archived_at) throw new KnowledgeGraphError(Code.TopicArchived, 'This topic is archived', { topicId });
    if (typeof input.color === 'string') normaliseColor(input.color);
    const oldKey = current.name.toLowerCase();
    const newKey = input.name === undefined ? oldKey : topicName(input.name).toLowerCase();
    // A rename claims the new name first and frees the old one once the topic has it.
    const claimed = newKey !== oldKey && (await this.aggregates.topicNames.claim({ workspaceId, nameKey: newKey }, topicId, meta));
    try {
      await this.aggregates.topic.handle(topicId, { kind: 'update', workspaceId, changes: input, now: meta.now }, meta, { fingerprint: input });
    } catch (err) {
      if (claimed) await this.aggregates.topicNames.release({ workspaceId, nameKey: newKey }, topicId, meta).catch(() => undefined);
      throw err;
    }
    if (newKey !== oldKey) await this.aggregates.topicNames.release({ workspaceId, nameKey: oldKey }, topicId, meta);
    return topicResponse(await this.row(workspaceId, topicId));
  }

  /** DELETE archives: the topic and its history stay readable; its name is free again. */
  async archive(workspaceId: string, topicId: string, meta: CommandMetadata): Promise<void> {
    const current = await this.row(workspaceId, topicId);
    this.checkIfMatch(current, meta);
    const done = await this.aggregates.topic.handle(topicId, { kind: 'archive', workspaceId, now: meta.now }, meta);
    if (done.events > 0) await this.aggregates.topicNames.release({ workspaceId, nameKey: current.name.toLowerCase() }, topicId, meta);
  }

  async approve(workspaceId: string, topicId: string, version: number, meta: CommandMetadata) {
    await this.row(workspaceId, topicId);
    await this.aggregates.topic.handle(topicId, { kind: 'approve', workspaceId, version, now: meta.now }, meta);
    return { topic: topicResponse(await this.row(workspaceId, topicId)), version: versionResponse((await this.queries.topicVersion(workspaceId, topicId, version))!) };
  }

  async addAtom(workspaceId: string, topicId: string, atomId: string, input: AddTopicAtomRequestDto, meta: CommandMetadata) {
    await this.row(workspaceId, topicId);
    const atom = isUUID(atomId) ? await this.queries.atom(workspaceId, atomId) : null;
    if (!atom) throw new KnowledgeGraphError(Code.AtomNotFound, 'No such atom', { atomId });
    if (atom.archived_at) throw new KnowledgeGraphError(Code.AtomArchived, 'This atom is archived', { atomId });
    await this.aggregates.topic.handle(topicId, { kind: 'add-atom', workspaceId, atomId, position: input.position, note: input.note, now: meta.now }, meta, { fingerprint: input });
    const m = await this.queries.membership(workspaceId, topicId, atomId);
    return { topicId, atomId, position: m.position, note: m.note, createdAt: m.created_at, updatedAt: m.updated_at, topicStreamVersion: (await this.row(workspaceId, topicId)).stream_version };
  }

  async removeAtom(workspaceId: string, topicId: string, atomId: string, meta: CommandMetadata): Promise<void> {
    await this.row(workspaceId, topicId);
    if (!isUUID(atomId)) throw new KnowledgeGraphError(Code.MembershipNotFound, 'This atom is not in the topic', { topicId, atomId });
    await this.aggregates.topic.handle(topicId, { kind: 'remove-atom', workspaceId, atomId, now: meta.now }, meta);
  }

  async get(workspaceId: string, topicId: string) {
    const row = await this.row(workspaceId, topicId);
    const atoms = await this.queries.topicAtoms(workspaceId, topicId);
    return {
      ...topicResponse(row),
      atoms: atoms.map((a) => ({ ...atomResponse(a), position: a.position, note: a.note, addedAt: a.added_at })),
    };
  }

  async versions(workspaceId: string, topicId: string) {
    await this.row(workspaceId, topicId);
    return { items: (await this.queries.topicVersions(workspaceId, topicId)).map(versionResponse) };
  }

  async version(workspaceId: string, topicId: string, version: number) {
    await this.row(workspaceId, topicId);
    return versionResponse(await this.versionRow(workspaceId, topicId, version));
  }

  /** A field-level diff of two versions (either order), word diffs for the description. */
  async compare(workspaceId: string, topicId: string, from: number, to: number) {
    await this.row(workspaceId, topicId);
    const [a, b] = [await this.versionRow(workspaceId, topicId, from), await this.versionRow(workspaceId, topicId, to)];
    return { from, to, changes: diffSnapshots(a.data as unknown as Record<string, unknown>, b.data as unknown as Record<string, unknown>, { longTextFields: ['description'] }) };
  }

  /** The topic of this workspace, or 404 (another workspace's ids included). */
  async row(workspaceId: string, topicId: string): Promise<TopicRow> {
    const row = isUUID(topicId) ? await this.queries.topic(workspaceId, topicId) : null;
    if (!row) throw new KnowledgeGraphError(Code.TopicNotFound, 'No such topic', { topicId });
    return row;
  }

  private async versionRow(workspaceId: string, topicId: string, version: number) {
    const row = await this.queries.topicVersion(workspaceId, topicId, version);
    if (!row) throw new KnowledgeGraphError(Code.VersionNotFound, `This topic has no version ${version}`, { topicId, version });
    return row;
  }

  /** A stale If-Match is refused before anything is claimed (the append checks it again). */
  private checkIfMatch(row: TopicRow, meta: CommandMetadata): void {
    if (typeof meta.expectedVersion === 'number' && meta.expectedVersion !== row.stream_version) {
      throw new KnowledgeGraphError(Code.StaleVersion, `The topic changed since version ${meta.expectedVersion}: it is at version ${row.stream_version}; read it again`, {
        expectedVersion: meta.expectedVersion,
        currentVersion: row.stream_version,
      });
    }
  }
}
