import { ValidateIf } from 'class-validator';

/**
 * The field may be left out, but when present it must pass the other validators:
 * unlike @IsOptional, `null` is validated (and refused) rather than skipped.
 */
export const OptionalNotNull = (): PropertyDecorator =>
  ValidateIf((_object: unknown, value: unknown) => value !== undefined);
