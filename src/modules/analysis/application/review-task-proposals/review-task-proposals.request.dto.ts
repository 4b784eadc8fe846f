import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { TASK_CATEGORY_VALUES, TASK_PRIORITY_LEVELS } from '@modules/analysis/domain/task/task.events';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
export const PROPOSAL_STATUSES = ['pending', 'approved', 'rejected', 'merged'] as const;

/** What a reviewer may change before approving. */
export class EditTaskProposalRequestDto {
  @ApiPropertyOptional({ maxLength: 500 }) @IsOptional() @Transform(trim) @IsString() @Length(1, 500) title?: string;
  @ApiPropertyOptional({ maxLength: 10000 }) @IsOptional() @IsString() @MaxLength(10000) description?: string;
  @ApiPropertyOptional({ enum: TASK_PRIORITY_LEVELS }) @IsOptional() @IsIn(TASK_PRIORITY_LEVELS) priority?: (typeof TASK_PRIORITY_LEVELS)[number];
  @ApiPropertyOptional({ enum: TASK_CATEGORY_VALUES }) @IsOptional() @IsIn(TASK_CATEGORY_VALUES) category?: (typeof TASK_CATEGORY_VALUES)[number];
  @ApiPropertyOptional({ nullable: true, description: 'The owner (a workspace user id or known author id); null: none' }) @IsOptional() @IsString() @MaxLength(200) ownerId?: string | null;
  @ApiPropertyOptional({ nullable: true, example: '2026-03-10' }) @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/) dueDate?: string | null;
}

export class ApproveTaskProposalRequestDto {
  @ApiPropertyOptional({ type: EditTaskProposalRequestDto, description: 'Edit then approve: these changes are recorded on the proposal first' })
  @IsOptional()
  @ValidateNested()
  @Type(() => EditTaskProposalRequestDto)
  edits?: EditTaskProposalRequestDto;
}

export class RejectTaskProposalRequestDto {
  @ApiProperty({ maxLength: 2000, example: 'Not a task: a question' }) @Transform(trim) @IsString() @Length(1, 2000) reason!: string;
}

export class MergeTaskProposalRequestDto {
  @ApiProperty({ format: 'uuid', description: 'The existing task the proposal is merged into (its messages are linked to it)' }) @IsUUID() taskId!: string;
}

export class BulkReviewRequestDto {
  @ApiProperty({ enum: ['approve', 'reject'] }) @IsIn(['approve', 'reject']) action!: 'approve' | 'reject';
  @ApiProperty({ type: [String], maxItems: 500 }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(500) @IsUUID('all', { each: true }) proposalIds!: string[];
  @ApiPropertyOptional({ maxLength: 2000, description: 'Needed to reject' }) @IsOptional() @Transform(trim) @IsString() @Length(1, 2000) reason?: string;
}

export class ListTaskProposalsQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Proposals found by this run (created or found again)' }) @IsOptional() @IsUUID() runId?: string;
  @ApiPropertyOptional({ enum: PROPOSAL_STATUSES }) @IsOptional() @IsIn(PROPOSAL_STATUSES) status?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}
