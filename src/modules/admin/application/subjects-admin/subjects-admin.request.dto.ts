import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class SubjectParamsDto {
  @ApiProperty({ description: 'The data subject id personal fields are declared with (e.g. a user id)', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  subjectId!: string;
}
