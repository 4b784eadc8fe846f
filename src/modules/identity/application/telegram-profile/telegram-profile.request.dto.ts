import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** PUT: the whole profile as Telegram gives it (seed 003); an absent optional field is cleared. */
export class LinkTelegramProfileRequestDto {
  @ApiProperty({ example: 123456789, description: "Telegram's numeric user id" })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  telegramUserId!: number;

  @ApiProperty({ example: 'Ada' }) @Transform(trim) @IsString() @Length(1, 64) firstName!: string;
  @ApiPropertyOptional({ nullable: true, example: 'Lovelace' }) @IsOptional() @Transform(trim) @IsString() @MaxLength(64) lastName?: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'en', description: 'IETF language tag (BCP 47), at most 10 characters' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  @Matches(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, { message: 'languageCode must be a language tag such as en or pt-BR' })
  languageCode?: string | null;

  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() isBot?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() isPremium?: boolean;
}
