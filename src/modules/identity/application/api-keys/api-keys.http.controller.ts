import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Principal } from '@libs/common/auth/principal';
import { RequireWorkspaceRole, workspaceRoleOf } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { CurrentPrincipal } from '@modules/identity/application/shared/current-user.decorator';
import { ApiKeysHandler } from './api-keys.handler';
import { CreateApiKeyRequestDto } from './api-keys.request.dto';

@ApiTags('workspaces')
@WorkspaceScoped('admin')
@Controller('api/v1/workspaces/:workspaceId/api-keys')
export class ApiKeysHttpController {
  constructor(private readonly keys: ApiKeysHandler) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key (admin). The key is in this answer only; use it as X-API-Key.' })
  @ApiCreatedResponse({ description: '{ id, name, role, prefix, key, expiresAt }' })
  create(@Param('workspaceId') ws: string, @Body() body: CreateApiKeyRequestDto, @CurrentPrincipal() actor: Principal, @Req() req: Request, @CommandMeta() meta: CommandMetadata) {
    return this.keys.create(ws, actor, workspaceRoleOf(req), body, meta);
  }

  @Get()
  async list(@Param('workspaceId') ws: string) {
    return { items: await this.keys.list(ws) };
  }

  @Delete(':apiKeyId')
  @HttpCode(204)
  @RequireWorkspaceRole('admin')
  async revoke(@Param('workspaceId') ws: string, @Param('apiKeyId') id: string, @CurrentPrincipal() actor: Principal, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.keys.revoke(ws, actor, id, meta);
  }
}
