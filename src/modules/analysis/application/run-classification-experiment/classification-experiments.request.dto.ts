import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, Equals, IsArray, IsInt, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export const EXPERIMENT_MAX_MESSAGES = 500;
export const EXPERIMENT_MAX_LABELS = 50;
export const EXPERIMENT_TEXT_MAX = 8000;

export class ExperimentLabelDto {
  @ApiProperty({ maxLength: 100 }) @Transform(trim) @IsString() @Length(1, 100) name!: string;
  @ApiPropertyOptional({ maxLength: 1000, description: 'What the label means (the built-in classifier compares messages with it)' }) @IsOptional() @IsString() @MaxLength(1000) description?: string;
}

/** Exactly one of `topics: true` (the workspace's topics, snapshotted when the experiment starts) or `labels`. */
export class ExperimentLabelSetDto {
  @ApiPropertyOptional({ description: 'true: classify against the workspace\'s knowledge topics (names are the labels)' }) @IsOptional() @Equals(true) topics?: true;
  @ApiPropertyOptional({ type: [ExperimentLabelDto], minItems: 2, maxItems: EXPERIMENT_MAX_LABELS })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(EXPERIMENT_MAX_LABELS)
  @ValidateNested({ each: true })
  @Type(() => ExperimentLabelDto)
  labels?: ExperimentLabelDto[];
}

/** Exactly one of `messageId` (a message of the workspace) or `text`. */
export class ExperimentMessageDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() messageId?: string;
  @ApiPropertyOptional({ maxLength: EXPERIMENT_TEXT_MAX }) @IsOptional() @IsString() @Length(1, EXPERIMENT_TEXT_MAX) text?: string;
  @ApiProperty({ maxLength: 100, description: 'The label the message should get' }) @Transform(trim) @IsString() @Length(1, 100) expectedLabel!: string;
}

export class CreateExperimentRequestDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'An LLM provider of the workspace; absent: the built-in offline provider' }) @IsOptional() @IsUUID() providerId?: string;
  @ApiProperty({ maxLength: 200, example: 'gpt-4o-mini' }) @Transform(trim) @IsString() @Length(1, 200) modelName!: string;
  @ApiProperty({ type: ExperimentLabelSetDto }) @ValidateNested() @Type(() => ExperimentLabelSetDto) labelSet!: ExperimentLabelSetDto;
  @ApiProperty({ type: [ExperimentMessageDto], minItems: 1, maxItems: EXPERIMENT_MAX_MESSAGES })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EXPERIMENT_MAX_MESSAGES)
  @ValidateNested({ each: true })
  @Type(() => ExperimentMessageDto)
  messages!: ExperimentMessageDto[];
}

export class ListExperimentsQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2048) cursor?: string;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export class CompareExperimentsQueryDto {
  @ApiProperty({ format: 'uuid', description: 'Experiment A (deltas are B minus A)' }) @IsUUID() a!: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() b!: string;
}
