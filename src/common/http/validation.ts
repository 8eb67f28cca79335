import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppException } from '../app.exception.js';
import { canonicalIds } from './canonical-ids.js';

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

/**
 * The one validation pipe of both transports: unknown fields and bad values are
 * BAD_REQUEST; what passes has its ids in one spelling (see canonicalIds).
 */
class AppValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
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
