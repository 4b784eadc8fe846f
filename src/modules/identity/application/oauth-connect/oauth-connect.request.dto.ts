import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

export class ConnectOAuthRequestDto {
  @ApiPropertyOptional({ type: [String], description: "Scopes to ask for; default: the provider's set for reading mail / channel history (see README)" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 300, { each: true })
  @Matches(/^[\x21\x23-\x5b\x5d-\x7e]+$/, { each: true, message: 'each scope must be printable ASCII without spaces, quotes or backslashes' })
  scopes?: string[];

  @ApiPropertyOptional({ description: 'Where the browser goes once connected: a relative path (/settings) or a URL on OAUTH_APP_ORIGIN; without it the callback answers JSON', example: '/settings/accounts' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  returnTo?: string;
}
