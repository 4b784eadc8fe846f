import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsObject, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { trim } from '@modules/analysis/application/shared/list-configuration.request.dto';

export class CreateTaskConfigRequestDto {
  @ApiProperty({ maxLength: 200, description: 'Unique among the workspace\'s task configs, whatever the case' }) @Transform(trim) @IsString() @Length(1, 200) name!: string;
  @ApiPropertyOptional({ nullable: true, maxLength: 5000 }) @IsOptional() @IsString() @MaxLength(5000) description?: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The JSON Schema an agent\'s answer must match (compiled with ajv when saved: 400 with ajv\'s error otherwise)' })
  @IsObject()
  responseSchema!: Record<string, unknown>;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() isActive?: boolean;
}

export class UpdateTaskConfigRequestDto {
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @Transform(trim) @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional({ nullable: true, description: 'null removes it' }) @IsOptional() @IsString() @MaxLength(5000) description?: string | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @IsOptional() @IsObject() responseSchema?: Record<string, unknown>;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() isActive?: boolean;
}
