import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { NextFunction, Request, Response } from 'express';
import type { Logger as PinoLogger } from 'pino';
import { AppException } from '../app.exception.js';
import { describeError } from '../error-body.js';
import { sendHttpError } from '../all-exceptions.filter.js';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

/**
 * JSON bodies are parsed here rather than by Nest's default parser, so that
 * malformed (400) and oversize (413) bodies get the contract's error shape.
 */
export function installBodyParser(
  app: NestExpressApplication,
  limitBytes: number,
  logger: PinoLogger,
): void {
  app.use(express.json({ limit: limitBytes }));
  app.use(express.urlencoded({ extended: false, limit: limitBytes }));
  app.use((err: BodyParserError, req: Request, res: Response, next: NextFunction) => {
    if (!err) return next();
    if (err.type === 'entity.too.large') {
      return sendHttpError(
        res,
        describeError(AppException.tooLarge(`Body larger than ${limitBytes} bytes`)),
        logger,
        req,
      );
    }
    if (err.type === 'entity.parse.failed') {
      return sendHttpError(
        res,
        describeError(AppException.badRequest('Malformed JSON body')),
        logger,
        req,
      );
    }
    if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
      return sendHttpError(res, describeError(AppException.badRequest(err.message)), logger, req);
    }
    return sendHttpError(res, describeError(err), logger, req);
  });
}
