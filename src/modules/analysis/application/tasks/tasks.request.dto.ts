import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { TASK_CATEGORY_VALUES, TASK_PRIORITY_LEVELS, TASK_STATUSES } from '@modules/analysis/domain/task/task.events';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class UpdateTaskRequestDto {
  @ApiPropertyOptional({ maxLength: 500 }) @IsOptional() @Transform(trim) @IsString() @Length(1, 500) title?: string;
  @ApiPropertyOptional({ maxLength: 10000 }) @IsOptional() @IsString() @MaxLength(10000) description?: string;
  @ApiPropertyOptional({ enum: TASK_STATUSES }) @IsOptional() @IsIn(TASK_STATUSES) status?: (typeof TASK_STATUSES)[number];
  @ApiPropertyOptional({ enum: TASK_PRIORITY_LEVELS }) @IsOptional() @IsIn(TASK_PRIORITY_LEVELS) priority?: (typeof TASK_PRIORITY_LEVELS)[number];
  @ApiPropertyOptional({ enum: TASK_CATEGORY_VALUES }) @IsOptional() @IsIn(TASK_CATEGORY_VALUES) category?: (typeof TASK_CATEGORY_VALUES)[number];
  @ApiPropertyOptional({ nullable: true, description: 'A workspace user id (marked manual); null: unassigned' }) @IsOptional() @IsString() @MaxLength(200) assigneeId?: string | null;
  @ApiPropertyOptional({ nullable: true, example: '2026-03-10' }) @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/) dueDate?: string | null;
}

export class ListTasksQueryDto {
  @ApiPropertyOptional({ enum: TASK_STATUSES }) @IsOptional() @IsIn(TASK_STATUSES) status?: string;
  @ApiPropertyOptional({ description: 'Assigned to this id' }) @IsOptional() @IsString() @MaxLength(200) assignee?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}
