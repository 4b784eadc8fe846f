import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const SLUG_MESSAGE = 'slug must be 1-63 lower-case letters, digits or dashes, not starting or ending with a dash';

export class CreateWorkspaceRequestDto {
  @ApiProperty() @Transform(trim) @IsString() @Length(1, 120) name!: string;
  @ApiPropertyOptional({ description: 'Generated from the name when absent' }) @IsOptional() @Transform(trim) @Matches(SLUG, { message: SLUG_MESSAGE }) slug?: string;
  @ApiPropertyOptional({ description: "Defaults to the user's organization" }) @IsOptional() @IsUUID() organizationId?: string;
}

export class UpdateWorkspaceRequestDto {
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 120) name?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @Matches(SLUG, { message: SLUG_MESSAGE }) slug?: string;
}
