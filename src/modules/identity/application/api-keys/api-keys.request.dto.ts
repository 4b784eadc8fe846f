import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { WorkspaceRole } from '@libs/common/auth/workspace-role';
import { IsIsoDate } from '@libs/common/http/iso-date';

const KEY_ROLES = ['admin', 'member', 'viewer'] as const;

export class CreateApiKeyRequestDto {
  @ApiProperty() @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)) @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ enum: KEY_ROLES }) @IsIn(KEY_ROLES as unknown as string[]) role!: Exclude<WorkspaceRole, 'owner'>;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsIsoDate() expiresAt?: string;
}
