import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, IsUrl, Length, Matches, MaxLength, Validate, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

@ValidatorConstraint({ name: 'ianaTimezone' })
class IanaTimezone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  }
  defaultMessage(): string {
    return 'timezone must be an IANA time zone such as Europe/Paris';
  }
}

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Seed 000/003/004 user profile fields a user edits themselves. `null` clears an optional field. */
export class UpdateProfileRequestDto {
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 100) firstName?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 100) lastName?: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) jobTitle?: string | null;

  @ApiPropertyOptional({ nullable: true, example: '+33612345678', description: 'E.164' })
  @IsOptional()
  @Matches(/^\+[1-9]\d{1,14}$/, { message: 'phone must be in E.164 format, e.g. +33612345678' })
  phone?: string | null;

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsUrl({ protocols: ['https', 'http'], require_protocol: true }) @MaxLength(500) avatarUrl?: string | null;
  @ApiPropertyOptional({ example: 'Europe/Paris' }) @IsOptional() @Validate(IanaTimezone) timezone?: string;
  @ApiPropertyOptional({ enum: ['light', 'dark'] }) @IsOptional() @IsIn(['light', 'dark']) themePreference?: 'light' | 'dark';
  @ApiPropertyOptional() @IsOptional() @IsObject() settings?: Record<string, unknown>;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() onboardingCompleted?: boolean;
}
