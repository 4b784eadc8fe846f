import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidationFailedError } from '@libs/common/errors/application-error';

/** class-validator's nested errors as VALIDATION_FAILED's flat field errors (`parent.child` paths). */
export function validationFieldErrors(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...validationFieldErrors(e.children ?? [], field)];
  });
}

/** class-validator with whitelist + forbid unknown; failures become VALIDATION_FAILED with field errors. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new ValidationFailedError('The request is not valid', validationFieldErrors(errors)),
  });
}
