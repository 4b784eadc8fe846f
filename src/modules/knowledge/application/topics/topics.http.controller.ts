import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { versionParam, withEtag } from '@modules/knowledge/infrastructure/knowledge-graph.http';
import { KnowledgeGraphQueries, topicResponse } from '@modules/knowledge/infrastructure/knowledge-graph.queries';
import { TopicsHandler } from './topics.handler';
import { AddTopicAtomRequestDto, CompareVersionsQueryDto, CreateTopicRequestDto, ListTopicsQueryDto, UpdateTopicRequestDto } from './topics.request.dto';

const IF_MATCH = { name: 'If-Match', required: false, description: 'The topic version (its ETag) the change is based on; 412 when it moved on' };

/**
 * Topics (seed 003) with their versions: list, one, compare two, approve one. Writes need the
 * member role; approving a version does too (a reviewer is any member: approvals are recorded
 * with their actor, so who approved what stays visible).
 */
@ApiTags('knowledge')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/topics')
export class TopicsHttpController {
  constructor(
    private readonly topics: TopicsHandler,
    private readonly queries: KnowledgeGraphQueries,
  ) {}

  @Post()
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Create a topic (version 1); the name is unique in the workspace whatever its case' })
  @ApiCreatedResponse({ description: 'The topic; ETag: its version' })
  async create(@Param('workspaceId') ws: string, @Body() body: CreateTopicRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.topics.create(ws, body, meta));
  }

  @Get()
  @ApiOperation({ summary: 'Topics by name (keyset pages)' })
  async list(@Param('workspaceId') ws: string, @Query() q: ListTopicsQueryDto) {
    const page = await this.queries.topics(ws, { q: q.q, includeArchived: q.includeArchived, cursor: q.cursor, limit: q.limit ?? 50 });
    return { items: page.items.map(topicResponse), nextCursor: page.nextCursor };
  }

  @Get(':topicId')
  @ApiOperation({ summary: 'One topic with its atoms in order' })
  async get(@Param('workspaceId') ws: string, @Param('topicId') id: string, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.topics.get(ws, id));
  }

  @Patch(':topicId')
  @RequireWorkspaceRole('member')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Change a topic: a new version when anything changed' })
  async update(@Param('workspaceId') ws: string, @Param('topicId') id: string, @Body() body: UpdateTopicRequestDto, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.topics.update(ws, id, body, meta));
  }

  @Delete(':topicId')
  @HttpCode(204)
  @RequireWorkspaceRole('member')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Archive a topic (its history stays; its name is free again)' })
  async archive(@Param('workspaceId') ws: string, @Param('topicId') id: string, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.topics.archive(ws, id, meta);
  }

  @Get(':topicId/versions')
  @ApiOperation({ summary: 'Every version of the topic, oldest first, from its event stream' })
  @ApiOkResponse({ description: '{ items: [{ version, data, changed, createdBy, createdAt, approved, approvedBy, approvedAt }] }' })
  versions(@Param('workspaceId') ws: string, @Param('topicId') id: string) {
    return this.topics.versions(ws, id);
  }

  // Before :version, which would otherwise take "compare" for a version.
  @Get(':topicId/versions/compare')
  @ApiOperation({ summary: 'What changed from one version to another: [{ field, from, to, words? }] (words: a word diff of the description)' })
  compare(@Param('workspaceId') ws: string, @Param('topicId') id: string, @Query() q: CompareVersionsQueryDto) {
    return this.topics.compare(ws, id, q.from, q.to);
  }

  @Get(':topicId/versions/:version')
  version(@Param('workspaceId') ws: string, @Param('topicId') id: string, @Param('version') version: string) {
    return this.topics.version(ws, id, versionParam(version));
  }

  @Post(':topicId/versions/:version/approve')
  @HttpCode(200)
  @RequireWorkspaceRole('member')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Approve a version (approving the latest makes the topic approved; a later change is a new, unapproved version)' })
  approve(@Param('workspaceId') ws: string, @Param('topicId') id: string, @Param('version') version: string, @CommandMeta() meta: CommandMetadata) {
    return this.topics.approve(ws, id, versionParam(version), meta);
  }

  @Post(':topicId/atoms/:atomId')
  @HttpCode(200)
  @RequireWorkspaceRole('member')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Put an atom in the topic, or move it / change its note' })
  addAtom(@Param('workspaceId') ws: string, @Param('topicId') id: string, @Param('atomId') atomId: string, @Body() body: AddTopicAtomRequestDto, @CommandMeta() meta: CommandMetadata) {
    return this.topics.addAtom(ws, id, atomId, body, meta);
  }

  @Delete(':topicId/atoms/:atomId')
  @HttpCode(204)
  @RequireWorkspaceRole('member')
  @ApiHeader(IF_MATCH)
  async removeAtom(@Param('workspaceId') ws: string, @Param('topicId') id: string, @Param('atomId') atomId: string, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.topics.removeAtom(ws, id, atomId, meta);
  }
}
