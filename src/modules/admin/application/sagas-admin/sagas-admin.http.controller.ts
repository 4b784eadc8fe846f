import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '@libs/common/auth/admin.guard';
import { SagaAdmin } from '@libs/eventsourcing/sagas/saga-admin';
import { SagaInstancesQueryDto } from './sagas-admin.request.dto';

/** Sagas for operators (superuser only): health, instances with deadlines and sent commands. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/v1/admin/sagas')
export class SagasAdminController {
  constructor(private readonly sagas: SagaAdmin) {}

  @Get()
  @ApiOperation({ summary: 'Every saga: subscription status, instances, deadlines, outgoing commands by status, parked events' })
  @ApiOkResponse({ description: '{ items: [{ name, subscription, instances, deadlines, commands, parkedEvents }] }' })
  async list() {
    return { items: await this.sagas.list() };
  }

  @Get(':name/instances')
  @ApiOperation({ summary: 'Instances of a saga, most recently changed first (keyset pages)' })
  instances(@Param('name') name: string, @Query() q: SagaInstancesQueryDto) {
    return this.sagas.instances(name, { status: q.status, limit: q.limit ?? 50, cursor: q.cursor });
  }

  @Get(':name/instances/:instanceId')
  @ApiOperation({ summary: 'One instance: state, deadlines and the commands it sent' })
  instance(@Param('name') name: string, @Param('instanceId') instanceId: string) {
    return this.sagas.instance(name, instanceId);
  }

  @Post(':name/commands/retry-failed')
  @HttpCode(200)
  @ApiOperation({ summary: 'Puts the failed outgoing commands of a saga back in its outbox' })
  retryFailed(@Param('name') name: string) {
    return this.sagas.retryFailedCommands(name);
  }
}
