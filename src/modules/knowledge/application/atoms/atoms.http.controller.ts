import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { CompareVersionsQueryDto } from '@modules/knowledge/application/topics/topics.request.dto';
import { versionParam, withEtag } from '@modules/knowledge/infrastructure/knowledge-graph.http';
import { atomResponse, KnowledgeGraphQueries } from '@modules/knowledge/infrastructure/knowledge-graph.queries';
import { AtomsHandler } from './atoms.handler';
import { CreateAtomRequestDto, LinkAtomRequestDto, ListAtomsQueryDto, SearchAtomsQueryDto, UpdateAtomRequestDto } from './atoms.request.dto';

const IF_MATCH = { name: 'If-Match', required: false, description: 'The atom version (its ETag) the change is based on; 412 when it moved on' };

/**
 * Atoms (seed 003): problems, solutions, decisions... with versions (list, one, compare two,
 * approve one), links between atoms, and semantic search. Writes and approvals need the member role.
 */
@ApiTags('knowledge')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/atoms')
export class AtomsHttpController {
  constructor(
    private readonly atoms: AtomsHandler,
    private readonly queries: KnowledgeGraphQueries,
  ) {}

  @Post()
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Create an atom (version 1, not approved)' })
  @ApiCreatedResponse({ description: 'The atom; ETag: its version' })
  async create(@Param('workspaceId') ws: string, @Body() body: CreateAtomRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.atoms.create(ws, body, meta));
  }

  @Get()
  @ApiOperation({ summary: 'Atoms, newest first (keyset pages), by type, text, approval and topic' })
  async list(@Param('workspaceId') ws: string, @Query() q: ListAtomsQueryDto) {
    const page = await this.queries.atoms(ws, { type: q.type, q: q.q, approved: q.approved, topicId: q.topicId, includeArchived: q.includeArchived, cursor: q.cursor, limit: q.limit ?? 50 });
    return { items: page.items.map(atomResponse), nextCursor: page.nextCursor };
  }

  // Before :atomId, which would otherwise take "search" for an id.
  @Get('search')
  @ApiOperation({ summary: 'Atoms ranked by meaning (cosine similarity of embeddings), best first' })
  @ApiOkResponse({ description: '{ items: [atom + similarity], model, pendingEmbeddings }' })
  search(@Param('workspaceId') ws: string, @Query() q: SearchAtomsQueryDto) {
    return this.atoms.search(ws, q.q, q.limit ?? 10, q.type);
  }

  @Get(':atomId')
  @ApiOperation({ summary: 'One atom with its topics and links (both directions)' })
  async get(@Param('workspaceId') ws: string, @Param('atomId') id: string, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.atoms.get(ws, id));
  }

  @Patch(':atomId')
  @RequireWorkspaceRole('member')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Change an atom: a new, unapproved version when anything changed' })
  async update(@Param('workspaceId') ws: string, @Param('atomId') id: string, @Body() body: UpdateAtomRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.atoms.update(ws, id, body, meta));
  }

  @Delete(':atomId')
  @HttpCode(204)
  @RequireWorkspaceRole('member')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Archive an atom (its history stays)' })
  async archive(@Param('workspaceId') ws: string, @Param('atomId') id: string, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.atoms.archive(ws, id, meta);
  }

  @Get(':atomId/versions')
  @ApiOperation({ summary: 'Every version of the atom, oldest first, from its event stream' })
  versions(@Param('workspaceId') ws: string, @Param('atomId') id: string) {
    return this.atoms.versions(ws, id);
  }

  @Get(':atomId/versions/compare')
  @ApiOperation({ summary: 'What changed from one version to another: [{ field, from, to, words? }] (words: word diffs of title and content; meta per key)' })
  compare(@Param('workspaceId') ws: string, @Param('atomId') id: string, @Query() q: CompareVersionsQueryDto) {
    return this.atoms.compare(ws, id, q.from, q.to);
  }

  @Get(':atomId/versions/:version')
  version(@Param('workspaceId') ws: string, @Param('atomId') id: string, @Param('version') version: string) {
    return this.atoms.version(ws, id, versionParam(version));
  }

  @Post(':atomId/versions/:version/approve')
  @HttpCode(200)
  @RequireWorkspaceRole('member')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Approve a version (the latest: the atom becomes user-approved until its next change)' })
  approve(@Param('workspaceId') ws: string, @Param('atomId') id: string, @Param('version') version: string, @CommandMeta() meta: CommandMetadata) {
    return this.atoms.approve(ws, id, versionParam(version), meta);
  }

  @Post(':atomId/links')
  @HttpCode(200)
  @RequireWorkspaceRole('member')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Link this atom to another (one link per pair: linking again changes its type or strength)' })
  link(@Param('workspaceId') ws: string, @Param('atomId') id: string, @Body() body: LinkAtomRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.atoms.link(ws, id, body, meta);
  }

  @Delete(':atomId/links/:toAtomId')
  @HttpCode(204)
  @RequireWorkspaceRole('member')
  @ApiHeader(IF_MATCH)
  async unlink(@Param('workspaceId') ws: string, @Param('atomId') id: string, @Param('toAtomId') toAtomId: string, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.atoms.unlink(ws, id, toAtomId, meta);
  }
}
