import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsFQDN, IsIn, IsOptional, IsString, IsUrl, Length, MaxLength } from 'class-validator';
import { OrganizationProfile } from '@modules/identity/domain/organization/organization.decider';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const SIZES = ['startup', 'small', 'medium', 'enterprise'] as const;
const PLANS = ['free', 'pro', 'enterprise'] as const;

export class CreateOrganizationRequestDto {
  @ApiProperty() @Transform(trim) @IsString() @Length(1, 200) name!: string;
  @ApiPropertyOptional({ enum: SIZES }) @IsOptional() @IsIn(SIZES as unknown as string[]) size?: OrganizationProfile['size'];
  @ApiPropertyOptional({ example: 'example.com' }) @IsOptional() @IsFQDN() domain?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(120) industry?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) description?: string;
  @ApiPropertyOptional() @IsOptional() @IsUrl({ require_protocol: true }) @MaxLength(500) website?: string;
  @ApiPropertyOptional({ enum: PLANS }) @IsOptional() @IsIn(PLANS as unknown as string[]) subscriptionPlan?: OrganizationProfile['subscriptionPlan'];
}

export class UpdateOrganizationRequestDto extends PartialType(CreateOrganizationRequestDto) {}
