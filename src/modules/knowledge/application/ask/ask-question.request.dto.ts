import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, IsUUID, Length } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** docs/api.md: `{ question, conversationId? }`. */
export class AskQuestionRequestDto {
  @ApiProperty({ minLength: 1, maxLength: 4000, example: 'What did customers say about SSO?' })
  @Transform(trim)
  @IsString()
  @Length(1, 4000)
  question!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A conversation of the caller in this workspace: the question follows it up' })
  @IsOptional()
  @IsUUID()
  conversationId?: string;
}
