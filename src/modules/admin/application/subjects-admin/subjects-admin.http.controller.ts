import { Controller, Delete, HttpCode, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '@libs/common/auth/admin.guard';
import { requestContext } from '@libs/common/request-context/request-context';
import { DataSubjects } from '@libs/event-store/data-subjects';
import { SubjectParamsDto } from './subjects-admin.request.dto';
import { SubjectErasureResponseDto } from './subjects-admin.response.dto';

/** The actor when the request context names none: the ADMIN_TOKEN operator (as principal.ts's actorIdOf calls it). */
const OPERATOR_ACTOR = 'operator';

/** The right to erasure (superuser only): crypto-shredding of a data subject's personal data. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/v1/admin/subjects')
export class SubjectsAdminController {
  constructor(private readonly subjects: DataSubjects) {}

  @Delete(':subjectId')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Erase a data subject',
    description:
      "Destroys the subject's key: every personal value of theirs in the event log reads '[erased]' from now on (audit, " +
      'exports, projections rebuilt), snapshots naming them are deleted, and privacy.subject-erased is appended on stream ' +
      'data-subject-<id> with the caller as actor. Idempotent: erasing again answers the first erasure.',
  })
  @ApiOkResponse({ type: SubjectErasureResponseDto })
  @ApiNotFoundResponse({ description: 'No personal data was ever recorded for this subject' })
  async erase(@Param() params: SubjectParamsDto): Promise<SubjectErasureResponseDto> {
    const ctx = requestContext.current();
    const { subjectId, erasedAt, alreadyErased } = await this.subjects.erase(params.subjectId, {
      actorId: ctx?.actorId ?? OPERATOR_ACTOR,
      correlationId: ctx?.requestId ?? null,
    });
    return { subjectId, erasedAt, alreadyErased };
  }
}
