import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppException } from '../app.exception.js';
import { canonicalIds } from './canonical-ids.js';
import { findUnstorableText, UNSTORABLE_TEXT_PROBLEM } from './storable-text.js';

export interface FieldProblem {
  field: string;
  errors: string[];
}

/** Flattens class-validator errors into `[{field: "a.b", errors: [...]}]`. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) out.push({ field, errors: Object.values(e.constraints) });
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/** What the client sends: a body (socket commands' data included), a query or a path parameter. */
const CLIENT_INPUT = new Set<ArgumentMetadata['type']>(['body', 'query', 'param']);

/**
 * The one validation pipe of both transports: unknown fields, bad values and
 * text PostgreSQL cannot store (see storable-text.ts) are BAD_REQUEST; what
 * passes has its ids in one spelling (see canonicalIds).
 */
class AppValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (CLIENT_INPUT.has(metadata.type)) {
      const field = findUnstorableText(value, metadata.data ?? '');
      if (field !== undefined)
        throw AppException.badRequest('Validation failed', [
          { field, errors: [`${field} ${UNSTORABLE_TEXT_PROBLEM}`] },
        ]);
    }
    return canonicalIds(await super.transform(value, metadata), metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) =>
      AppException.badRequest('Validation failed', flattenValidationErrors(errors)),
  });
}
