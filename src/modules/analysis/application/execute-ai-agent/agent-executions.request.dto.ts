import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const EXECUTION_INPUT_MAX_BYTES = 32 * 1024;

export class RequestExecutionRequestDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { text: 'Acme asked to be contacted by email only', remember: { 'acme.channel': 'Acme prefers email' }, forget: ['old.key'] },
    description:
      'What the agent works on (at most 32 KB of JSON). `text` is what the model reads (else the whole input as JSON); `remember` (key -> text) and `forget` (keys) change the agent\'s memory explicitly.',
  })
  @IsObject()
  input!: Record<string, unknown>;
}

export class ListExecutionsQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2048) cursor?: string;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional({ enum: ['pending', 'running', 'completed', 'failed'] }) @IsOptional() @IsIn(['pending', 'running', 'completed', 'failed']) status?: string;
  @ApiPropertyOptional({ enum: ['manual', 'scheduled', 'event'] }) @IsOptional() @IsIn(['manual', 'scheduled', 'event']) trigger?: string;
}
