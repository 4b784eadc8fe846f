import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApplicationError, PlatformErrorCode, ValidationFailedError } from '@libs/common/errors/application-error';
import { requestContext } from '@libs/common/request-context/request-context';
import { statusForCode } from './error-status.registry';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: { field: string; message: string }[];
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const CODE_BY_STATUS: Record<number, string> = {
  400: PlatformErrorCode.ValidationFailed,
  401: PlatformErrorCode.Unauthenticated,
  403: PlatformErrorCode.Forbidden,
  404: PlatformErrorCode.NotFound,
  409: PlatformErrorCode.ConcurrencyConflict,
  413: PlatformErrorCode.PayloadTooLarge,
  415: PlatformErrorCode.UnsupportedMediaType,
  422: PlatformErrorCode.BusinessRuleViolated,
  429: PlatformErrorCode.RateLimited,
  503: PlatformErrorCode.ServiceUnavailable,
};

function typeUri(code: string): string {
  return `urn:problem:${code.toLowerCase().replace(/[._]/g, '-')}`;
}

/**
 * The one place errors become HTTP answers: RFC 9457 problem+json with a stable `code`.
 * Unknown errors are logged with the request id and answered as a bare 500, never with
 * internals in the body.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const problem = this.toProblem(exception);
    problem.instance = req?.originalUrl;
    problem.requestId = requestContext.current()?.requestId ?? (req as any)?.id;
    if (problem.status >= 500) this.logger.error({ err: exception, requestId: problem.requestId }, 'request failed');
    if (res.headersSent) return;
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof ApplicationError) {
      const status = statusForCode(exception.code) ?? HttpStatus.INTERNAL_SERVER_ERROR;
      const problem = this.base(status, exception.code, exception.message);
      if (exception instanceof ValidationFailedError) problem.errors = exception.errors;
      else if (status < 500) Object.assign(problem, this.safeDetails(exception.details));
      return problem;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message =
        typeof body === 'string' ? body : Array.isArray((body as any)?.message) ? (body as any).message.join('; ') : (body as any)?.message;
      return this.base(status, CODE_BY_STATUS[status] ?? (status >= 500 ? PlatformErrorCode.Internal : `HTTP_${status}`), message ?? exception.message);
    }
    // Errors raised by Express' body parser carry a status and a type.
    const e = exception as { status?: number; statusCode?: number; type?: string; message?: string };
    const status = e?.status ?? e?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const detail =
        e.type === 'entity.parse.failed'
          ? 'The request body is not valid JSON'
          : e.type === 'entity.too.large'
            ? 'The request body is larger than the limit'
            : (e.message ?? 'Bad request');
      return this.base(status, CODE_BY_STATUS[status] ?? `HTTP_${status}`, detail);
    }
    return this.base(500, PlatformErrorCode.Internal, 'An unexpected error occurred; it has been logged with the request id');
  }

  private base(status: number, code: string, detail: string): ProblemDetails {
    return { type: typeUri(code), title: TITLES[status] ?? 'Error', status, detail, code };
  }

  private safeDetails(details: Record<string, unknown>): Record<string, unknown> {
    const reserved = new Set(['type', 'title', 'status', 'detail', 'code', 'instance', 'requestId']);
    return Object.fromEntries(Object.entries(details).filter(([k]) => !reserved.has(k)));
  }
}
