import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class PutAppSettingRequestDto {
  @ApiProperty({ example: '123456789' }) @IsString() @MaxLength(10_000) value!: string;
}
