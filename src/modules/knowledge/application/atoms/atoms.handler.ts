import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { Embedder } from '@libs/ai/embedder';
import { CommandMetadata, scopedIdempotencyKey } from '@libs/eventsourcing/command-metadata';
import { KnowledgeGraphError, KnowledgeGraphErrorCode as Code } from '@modules/knowledge/domain/knowledge-graph/knowledge-graph.errors';
import { diffSnapshots } from '@modules/knowledge/domain/knowledge-graph/version-diff';
import { KnowledgeGraphAggregates, newEntityId } from '@modules/knowledge/infrastructure/knowledge-graph.aggregates';
import { atomResponse, KnowledgeGraphQueries, versionResponse } from '@modules/knowledge/infrastructure/knowledge-graph.queries';
import type { AtomRow } from '@modules/knowledge/projections/atoms.projection';
import { CreateAtomRequestDto, LinkAtomRequestDto, UpdateAtomRequestDto } from './atoms.request.dto';

export type AtomResponse = ReturnType<typeof atomResponse>;

@Injectable()
export class AtomsHandler {
  constructor(
    private readonly aggregates: KnowledgeGraphAggregates,
    private readonly queries: KnowledgeGraphQueries,
    private readonly embedder: Embedder,
  ) {}

  async create(workspaceId: string, input: CreateAtomRequestDto, meta: CommandMetadata): Promise<AtomResponse> {
    const atomId = newEntityId('atom', workspaceId, scopedIdempotencyKey(meta), input);
    await this.aggregates.atom.handle(atomId, { kind: 'create', atomId, workspaceId, ...input, now: meta.now }, meta, { fingerprint: input });
    return atomResponse(await this.row(workspaceId, atomId));
  }

  async update(workspaceId: string, atomId: string, input: UpdateAtomRequestDto, meta: CommandMetadata): Promise<AtomResponse> {
    await this.row(workspaceId, atomId);
    await this.aggregates.atom.handle(atomId, { kind: 'update', workspaceId, changes: input, now: meta.now }, meta, { fingerprint: input });
    return atomResponse(await this.row(workspaceId, atomId));
  }

  async archive(workspaceId: string, atomId: string, meta: CommandMetadata): Promise<void> {
    await this.row(workspaceId, atomId);
    await this.aggregates.atom.handle(atomId, { kind: 'archive', workspaceId, now: meta.now }, meta);
  }

  async approve(workspaceId: string, atomId: string, version: number, meta: CommandMetadata) {
    await this.row(workspaceId, atomId);
    await this.aggregates.atom.handle(atomId, { kind: 'approve', workspaceId, version, now: meta.now }, meta);
    return { atom: atomResponse(await this.row(workspaceId, atomId)), version: versionResponse((await this.queries.atomVersion(workspaceId, atomId, version))!) };
  }

  async link(workspaceId: string, atomId: string, input: LinkAtomRequestDto, meta: CommandMetadata) {
    await this.row(workspaceId, atomId);
    const target = await this.queries.atom(workspaceId, input.toAtomId);
    if (!target) throw new KnowledgeGraphError(Code.AtomNotFound, 'No such atom to link to', { toAtomId: input.toAtomId });
    if (target.archived_at) throw new KnowledgeGraphError(Code.AtomArchived, 'The atom to link to is archived', { toAtomId: input.toAtomId });
    await this.aggregates.atom.handle(atomId, { kind: 'link', workspaceId, toAtomId: input.toAtomId, linkType: input.linkType, strength: input.strength, now: meta.now }, meta, { fingerprint: input });
    const l = await this.queries.link(workspaceId, atomId, input.toAtomId);
    return { fromAtomId: atomId, toAtomId: l.to_atom_id, linkType: l.link_type, strength: l.strength, createdAt: l.created_at, updatedAt: l.updated_at };
  }

  async unlink(workspaceId: string, atomId: string, toAtomId: string, meta: CommandMetadata): Promise<void> {
    await this.row(workspaceId, atomId);
    if (!isUUID(toAtomId)) throw new KnowledgeGraphError(Code.LinkNotFound, 'These atoms are not linked', { fromAtomId: atomId, toAtomId });
    await this.aggregates.atom.handle(atomId, { kind: 'unlink', workspaceId, toAtomId, now: meta.now }, meta);
  }

  async get(workspaceId: string, atomId: string) {
    const row = await this.row(workspaceId, atomId);
    return { ...atomResponse(row), topics: await this.queries.atomTopics(workspaceId, atomId), links: await this.queries.atomLinks(workspaceId, atomId) };
  }

  async versions(workspaceId: string, atomId: string) {
    await this.row(workspaceId, atomId);
    return { items: (await this.queries.atomVersions(workspaceId, atomId)).map(versionResponse) };
  }

  async version(workspaceId: string, atomId: string, version: number) {
    await this.row(workspaceId, atomId);
    return versionResponse(await this.versionRow(workspaceId, atomId, version));
  }

  /** A field-level diff of two versions: word diffs for the title and content, metadata key by key. */
  async compare(workspaceId: string, atomId: string, from: number, to: number) {
    await this.row(workspaceId, atomId);
    const [a, b] = [await this.versionRow(workspaceId, atomId, from), await this.versionRow(workspaceId, atomId, to)];
    return {
      from,
      to,
      changes: diffSnapshots(a.data as unknown as Record<string, unknown>, b.data as unknown as Record<string, unknown>, { longTextFields: ['title', 'content'], nestedFields: ['meta'] }),
    };
  }

  /**
   * Atoms by meaning: the query embedded like the atoms (title + content) and ranked by cosine
   * similarity among the workspace's atoms embedded with the current model. Atoms not embedded
   * yet (just written) are counted in `pendingEmbeddings` rather than silently missing.
   */
  async search(workspaceId: string, q: string, limit: number, type?: string) {
    const [vector] = await this.embedder.embed([q], { workspaceId, workflow: 'knowledge.atoms', node: 'search' });
    const hits = await this.queries.searchAtoms(workspaceId, { vector, model: this.embedder.model }, limit, type);
    return {
      items: hits.map((h) => ({ ...atomResponse(h), similarity: Math.round(h.similarity * 1e4) / 1e4 })),
      model: this.embedder.model,
      pendingEmbeddings: await this.queries.atomsAwaitingEmbedding(workspaceId, this.embedder.model, this.embedder.dimension),
    };
  }

  async row(workspaceId: string, atomId: string): Promise<AtomRow> {
    const row = isUUID(atomId) ? await this.queries.atom(workspaceId, atomId) : null;
    if (!row) throw new KnowledgeGraphError(Code.AtomNotFound, 'No such atom', { atomId });
    return row;
  }

  private async versionRow(workspaceId: string, atomId: string, version: number) {
    const row = await this.queries.atomVersion(workspaceId, atomId, version);
    if (!row) throw new KnowledgeGraphError(Code.VersionNotFound, `This atom has no version ${version}`, { atomId, version });
    return row;
  }
}
