import { ApiProperty } from '@nestjs/swagger';
import { IsNumber, Max, Min } from 'class-validator';
import { MAX_MONTHLY_LIMIT_USD } from '@modules/analysis/domain/llm-budget/llm-budget.decider';

export class SetLlmBudgetRequestDto {
  @ApiProperty({ description: 'What the workspace\'s model calls may cost per UTC calendar month, in USD (4 decimals kept). 0: nothing paid (the offline engine costs nothing and still runs)', example: 50, minimum: 0, maximum: MAX_MONTHLY_LIMIT_USD })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 4 })
  @Min(0)
  @Max(MAX_MONTHLY_LIMIT_USD)
  monthlyLimitUsd!: number;
}
