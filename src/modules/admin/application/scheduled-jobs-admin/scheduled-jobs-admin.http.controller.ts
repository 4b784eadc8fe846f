import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '@libs/common/auth/admin.guard';
import { JobQueue } from '@libs/jobs/job-queue';
import { ScheduledJobs } from '@libs/jobs/scheduled-jobs';
import { EmptyBodyDto, ListJobsRequestDto, ScheduledJobRunsRequestDto } from './scheduled-jobs-admin.request.dto';

/** Scheduled jobs, their runs and the job queue, for operators (superuser only). */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/v1/admin')
export class ScheduledJobsAdminController {
  constructor(
    private readonly scheduled: ScheduledJobs,
    private readonly queue: JobQueue,
  ) {}

  @Get('scheduled-jobs')
  @ApiOperation({ summary: 'Every scheduled job with its cron (UTC), last run and next run' })
  @ApiOkResponse({ description: '{ items: [{ name, schedule, description, enabled, lastRun: { status, startedAt, finishedAt, processed, error } | null, nextRunAt }] }' })
  async list() {
    return { items: await this.scheduled.list() };
  }

  @Get('scheduled-jobs/:name/runs')
  @ApiOperation({ summary: 'Runs of a scheduled job, newest first (keyset pages)' })
  @ApiOkResponse({ description: '{ items: [{ id, jobName, jobId, status, startedAt, finishedAt, processed, error, meta: { trigger, slot, attempt, ... } }], nextCursor }' })
  @ApiNotFoundResponse({ description: 'No scheduled job has this name (JOBS.UNKNOWN_JOB)' })
  runs(@Param('name') name: string, @Query() q: ScheduledJobRunsRequestDto) {
    return this.scheduled.runs(name, { limit: q.limit ?? 50, cursor: q.cursor });
  }

  @Post('scheduled-jobs/:name/run')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queues a run now; it waits while a run of the same job is active' })
  @ApiAcceptedResponse({ description: '{ jobId }: the run shows in GET /scheduled-jobs/:name/runs' })
  @ApiNotFoundResponse({ description: 'No scheduled job has this name (JOBS.UNKNOWN_JOB)' })
  async run(@Param('name') name: string, @Body() _body: EmptyBodyDto) {
    return { jobId: await this.scheduled.runNow(name) };
  }

  @Get('jobs')
  @ApiOperation({ summary: 'Jobs of the queue (pg-boss, not yet archived), newest first' })
  @ApiOkResponse({ description: '{ items: [{ id, name, state, retryCount, createdOn, startedOn, completedOn, singletonKey, output }] }' })
  async jobs(@Query() q: ListJobsRequestDto) {
    return { items: await this.queue.listJobs({ queue: q.queue, state: q.state, limit: q.limit ?? 50 }) };
  }
}
