import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class RefreshSessionRequestDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  refreshToken!: string;
}
