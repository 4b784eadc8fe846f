import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { z } from 'zod';
import { cursorCodec, cursorPart } from '@libs/common/pagination/cursor';
import { PG_POOL } from '@libs/database/database-backend';
import { toVectorLiteral } from '@libs/database/vector-literal';
import type { AtomRow } from '@modules/knowledge/projections/atoms.projection';
import type { AtomVersionRow } from '@modules/knowledge/projections/atom-versions.projection';
import type { TopicRow } from '@modules/knowledge/projections/topics.projection';
import type { TopicVersionRow } from '@modules/knowledge/projections/topic-versions.projection';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface TopicFilter {
  q?: string;
  includeArchived?: boolean;
  cursor?: string;
  limit: number;
}

export interface AtomFilter {
  type?: string;
  q?: string;
  approved?: boolean;
  topicId?: string;
  includeArchived?: boolean;
  cursor?: string;
  limit: number;
}

export interface VectorQuery {
  vector: number[];
  model: string;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : (v as string | null));

export function topicResponse(r: TopicRow) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    icon: r.icon,
    color: r.color,
    version: r.version,
    approved: r.approved,
    approvedVersion: r.approved_version,
    /** What If-Match expects (also the ETag). */
    streamVersion: r.stream_version,
    archived: r.archived_at !== null,
    archivedAt: iso(r.archived_at),
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    embeddingModel: r.embedding_model,
  };
}

export function atomResponse(r: AtomRow) {
  return {
    id: r.id,
    type: r.type,
    title: r.title,
    content: r.content,
    confidence: r.confidence,
    userApproved: r.user_approved,
    approvedVersion: r.approved_version,
    meta: r.meta,
    version: r.version,
    streamVersion: r.stream_version,
    archived: r.archived_at !== null,
    archivedAt: iso(r.archived_at),
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    embeddingModel: r.embedding_model,
  };
}

export function versionResponse(r: TopicVersionRow | AtomVersionRow) {
  return {
    version: r.version,
    data: r.data,
    changed: r.changed,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    approved: r.approved,
    approvedBy: r.approved_by,
    approvedAt: iso(r.approved_at),
  };
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Keysets of the lists (timestamps as PostgreSQL prints them: exact to the microsecond). */
const topicCursor = cursorCodec('knowledge.topics', z.tuple([cursorPart.text(2000), cursorPart.uuid]));
const topicMessagesCursor = cursorCodec('knowledge.topic-messages', z.tuple([cursorPart.timestamp, cursorPart.uuid]));
const atomCursor = cursorCodec('knowledge.atoms', z.tuple([cursorPart.timestamp, cursorPart.uuid]));

/** Every read query of the knowledge graph, in one place. */
@Injectable()
export class KnowledgeGraphQueries {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async topic(workspaceId: string, topicId: string): Promise<TopicRow | null> {
    const r = await this.pool.query(`SELECT * FROM knowledge_topics_view WHERE id = $1 AND workspace_id = $2`, [topicId, workspaceId]);
    return r.rows[0] ?? null;
  }

  /** By name, alphabetically (keyset on lower(name), id). */
  async topics(workspaceId: string, f: TopicFilter): Promise<Page<TopicRow>> {
    const after = f.cursor ? topicCursor.decode(f.cursor) : null;
    const r = await this.pool.query<TopicRow & { name_key: string }>(
      `SELECT *, lower(name) AS name_key FROM knowledge_topics_view
        WHERE workspace_id = $1
          AND ($2::boolean OR archived_at IS NULL)
          AND ($3::text IS NULL OR name ILIKE $3 OR description ILIKE $3)
          AND ($4::text IS NULL OR (lower(name), id::text) > ($4::text, $5::text))
        ORDER BY lower(name), id::text LIMIT $6`,
      [workspaceId, f.includeArchived ?? false, f.q ? likePattern(f.q) : null, after?.[0] ?? null, after?.[1] ?? null, f.limit + 1],
    );
    const rows = r.rows.slice(0, f.limit);
    const last = rows[rows.length - 1];
    return {
      items: rows.map(({ name_key: _k, ...row }) => row as TopicRow),
      nextCursor: r.rows.length > f.limit && last ? topicCursor.encode([last.name_key, last.id]) : null,
    };
  }

  /** The topic's atoms in their order (archived atoms left out). */
  async topicAtoms(workspaceId: string, topicId: string): Promise<(AtomRow & { position: number; note: string | null; added_at: Date })[]> {
    const r = await this.pool.query(
      `SELECT a.*, m.position, m.note, m.created_at AS added_at
         FROM knowledge_topic_atoms_view m JOIN knowledge_atoms_view a ON a.id = m.atom_id
        WHERE m.topic_id = $1 AND m.workspace_id = $2 AND a.archived_at IS NULL
        ORDER BY m.position, m.created_at, a.id`,
      [topicId, workspaceId],
    );
    return r.rows;
  }

  async topicVersions(workspaceId: string, topicId: string): Promise<TopicVersionRow[]> {
    const r = await this.pool.query(`SELECT * FROM knowledge_topic_versions_view WHERE topic_id = $1 AND workspace_id = $2 ORDER BY version`, [topicId, workspaceId]);
    return r.rows;
  }

  async topicVersion(workspaceId: string, topicId: string, version: number): Promise<TopicVersionRow | null> {
    const r = await this.pool.query(`SELECT * FROM knowledge_topic_versions_view WHERE topic_id = $1 AND workspace_id = $2 AND version = $3`, [topicId, workspaceId, version]);
    return r.rows[0] ?? null;
  }

  /** Messages classified into the topic, newest assignment first. */
  async topicMessages(workspaceId: string, topicId: string, page: { cursor?: string; limit: number }) {
    const [afterAt, afterId] = page.cursor ? topicMessagesCursor.decode(page.cursor) : [null, null];
    const r = await this.pool.query(
      `SELECT message_id, score, method, assigned_by, assigned_at, assigned_at::text AS at_key
         FROM knowledge_message_topics_view
        WHERE topic_id = $1 AND workspace_id = $2
          AND ($3::timestamptz IS NULL OR (assigned_at, message_id) < ($3::timestamptz, $4::uuid))
        ORDER BY assigned_at DESC, message_id DESC LIMIT $5`,
      [topicId, workspaceId, afterAt, afterId, page.limit + 1],
    );
    const rows = r.rows.slice(0, page.limit);
    const last = rows[rows.length - 1];
    return {
      items: rows.map((m) => ({ messageId: m.message_id, score: m.score, method: m.method, assignedBy: m.assigned_by, assignedAt: iso(m.assigned_at) })),
      nextCursor: r.rows.length > page.limit && last ? topicMessagesCursor.encode([last.at_key, last.message_id]) : null,
    };
  }

  async atom(workspaceId: string, atomId: string): Promise<AtomRow | null> {
    const r = await this.pool.query(`SELECT * FROM knowledge_atoms_view WHERE id = $1 AND workspace_id = $2`, [atomId, workspaceId]);
    return r.rows[0] ?? null;
  }

  /** Newest first (keyset on created_at, id), filtered by type, text, approval and topic. */
  async atoms(workspaceId: string, f: AtomFilter): Promise<Page<AtomRow>> {
    const [afterAt, afterId] = f.cursor ? atomCursor.decode(f.cursor) : [null, null];
    const r = await this.pool.query<AtomRow & { at_key: string }>(
      `SELECT a.*, a.created_at::text AS at_key FROM knowledge_atoms_view a
        WHERE a.workspace_id = $1
          AND ($2::boolean OR a.archived_at IS NULL)
          AND ($3::text IS NULL OR a.type = $3)
          AND ($4::text IS NULL OR a.title ILIKE $4 OR a.content ILIKE $4)
          AND ($5::boolean IS NULL OR a.user_approved = $5)
          AND ($6::uuid IS NULL OR EXISTS (SELECT 1 FROM knowledge_topic_atoms_view m WHERE m.topic_id = $6 AND m.atom_id = a.id))
          AND ($7::timestamptz IS NULL OR (a.created_at, a.id) < ($7::timestamptz, $8::uuid))
        ORDER BY a.created_at DESC, a.id DESC LIMIT $9`,
      [workspaceId, f.includeArchived ?? false, f.type ?? null, f.q ? likePattern(f.q) : null, f.approved ?? null, f.topicId ?? null, afterAt, afterId, f.limit + 1],
    );
    const rows = r.rows.slice(0, f.limit);
    const last = rows[rows.length - 1];
    return {
      items: rows.map(({ at_key: _k, ...row }) => row as AtomRow),
      nextCursor: r.rows.length > f.limit && last ? atomCursor.encode([last.at_key, last.id]) : null,
    };
  }

  async atomVersions(workspaceId: string, atomId: string): Promise<AtomVersionRow[]> {
    const r = await this.pool.query(`SELECT * FROM knowledge_atom_versions_view WHERE atom_id = $1 AND workspace_id = $2 ORDER BY version`, [atomId, workspaceId]);
    return r.rows;
  }

  async atomVersion(workspaceId: string, atomId: string, version: number): Promise<AtomVersionRow | null> {
    const r = await this.pool.query(`SELECT * FROM knowledge_atom_versions_view WHERE atom_id = $1 AND workspace_id = $2 AND version = $3`, [atomId, workspaceId, version]);
    return r.rows[0] ?? null;
  }

  /** Links from and to the atom, with the other atom's title and type. */
  async atomLinks(workspaceId: string, atomId: string) {
    const r = await this.pool.query(
      `SELECT l.*, CASE WHEN l.from_atom_id = $1 THEN 'outgoing' ELSE 'incoming' END AS direction, o.title AS other_title, o.type AS other_type
         FROM knowledge_atom_links_view l
         JOIN knowledge_atoms_view o ON o.id = CASE WHEN l.from_atom_id = $1 THEN l.to_atom_id ELSE l.from_atom_id END
        WHERE l.workspace_id = $2 AND (l.from_atom_id = $1 OR l.to_atom_id = $1)
        ORDER BY l.created_at, l.id`,
      [atomId, workspaceId],
    );
    return r.rows.map((l) => ({
      direction: l.direction as 'outgoing' | 'incoming',
      fromAtomId: l.from_atom_id,
      toAtomId: l.to_atom_id,
      linkType: l.link_type,
      strength: l.strength,
      otherAtom: { id: l.direction === 'outgoing' ? l.to_atom_id : l.from_atom_id, title: l.other_title, type: l.other_type },
      createdAt: iso(l.created_at),
      updatedAt: iso(l.updated_at),
    }));
  }

  async atomTopics(workspaceId: string, atomId: string) {
    const r = await this.pool.query(
      `SELECT t.id, t.name, t.color, t.icon, m.position, m.note
         FROM knowledge_topic_atoms_view m JOIN knowledge_topics_view t ON t.id = m.topic_id
        WHERE m.atom_id = $1 AND m.workspace_id = $2 AND t.archived_at IS NULL
        ORDER BY lower(t.name)`,
      [atomId, workspaceId],
    );
    return r.rows;
  }

  async link(workspaceId: string, fromAtomId: string, toAtomId: string) {
    const r = await this.pool.query(`SELECT * FROM knowledge_atom_links_view WHERE from_atom_id = $1 AND to_atom_id = $2 AND workspace_id = $3`, [fromAtomId, toAtomId, workspaceId]);
    return r.rows[0] ?? null;
  }

  async membership(workspaceId: string, topicId: string, atomId: string) {
    const r = await this.pool.query(`SELECT * FROM knowledge_topic_atoms_view WHERE topic_id = $1 AND atom_id = $2 AND workspace_id = $3`, [topicId, atomId, workspaceId]);
    return r.rows[0] ?? null;
  }

  async messageTopic(workspaceId: string, messageId: string, topicId: string) {
    const r = await this.pool.query(`SELECT * FROM knowledge_message_topics_view WHERE message_id = $1 AND topic_id = $2 AND workspace_id = $3`, [messageId, topicId, workspaceId]);
    return r.rows[0] ?? null;
  }

  /**
   * Semantic search over the workspace's atoms: cosine similarity to the query's vector, only
   * against atoms embedded in the same space (model and dimension). Exhaustive over the
   * workspace (a curated graph is small; the untyped column has no index).
   */
  async searchAtoms(workspaceId: string, query: VectorQuery, limit: number, type?: string): Promise<(AtomRow & { similarity: number })[]> {
    const r = await this.pool.query(
      `SELECT *, 1 - (embedding <=> $2::vector) AS similarity
         FROM knowledge_atoms_view
        WHERE workspace_id = $1 AND archived_at IS NULL AND embedding IS NOT NULL
          AND embedding_model = $3 AND vector_dims(embedding) = $4
          AND ($5::text IS NULL OR type = $5)
        ORDER BY embedding <=> $2::vector, id LIMIT $6`,
      [workspaceId, toVectorLiteral(query.vector), query.model, query.vector.length, type ?? null, limit],
    );
    return r.rows.map((row) => ({ ...row, similarity: Number(row.similarity) }));
  }

  /** Atoms of the workspace not embedded in the current space yet (search cannot find them). */
  async atomsAwaitingEmbedding(workspaceId: string, model: string, dimension: number): Promise<number> {
    const r = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM knowledge_atoms_view
        WHERE workspace_id = $1 AND archived_at IS NULL
          AND (embedding IS NULL OR embedding_model IS DISTINCT FROM $2 OR vector_dims(embedding) <> $3)`,
      [workspaceId, model, dimension],
    );
    return r.rows[0].n;
  }
}
