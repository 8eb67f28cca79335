import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, of } from 'rxjs';
import { CreatedOrExisting } from './created-or-existing.js';
import { CreatedOrExistingInterceptor } from './created-or-existing.interceptor.js';

/** An HTTP or socket context whose response records the statuses it was given. */
function contextOf(type: 'http' | 'ws'): { ctx: ExecutionContext; statuses: number[] } {
  const statuses: number[] = [];
  const response = {
    status(code: number) {
      statuses.push(code);
      return response;
    },
  };
  const ctx = {
    getType: () => type,
    switchToHttp: () => ({ getResponse: () => response }),
  } as unknown as ExecutionContext;
  return { ctx, statuses };
}

const returning = (value: unknown): CallHandler => ({ handle: () => of(value) });

describe('CreatedOrExistingInterceptor', () => {
  const interceptor = new CreatedOrExistingInterceptor();

  it('answers a created entity with 201 and the entity alone', async () => {
    const { ctx, statuses } = contextOf('http');
    const body = await lastValueFrom(
      interceptor.intercept(ctx, returning(new CreatedOrExisting({ id: 'a' }, true))),
    );
    expect(body).toEqual({ id: 'a' });
    expect(statuses).toEqual([201]);
  });

  it('answers an entity that was already there with 200', async () => {
    const { ctx, statuses } = contextOf('http');
    const body = await lastValueFrom(
      interceptor.intercept(ctx, returning(new CreatedOrExisting({ id: 'a' }, false))),
    );
    expect(body).toEqual({ id: 'a' });
    expect(statuses).toEqual([200]);
  });

  it('acks a socket command with the entity, whichever it was', async () => {
    const { ctx, statuses } = contextOf('ws');
    for (const created of [true, false]) {
      const ack = await lastValueFrom(
        interceptor.intercept(ctx, returning(new CreatedOrExisting({ id: 'a' }, created))),
      );
      expect(ack).toEqual({ id: 'a' });
    }
    expect(statuses).toEqual([]);
  });

  it('passes any other result through and leaves the status alone', async () => {
    const { ctx, statuses } = contextOf('http');
    const plain = { value: 1, created: true };
    expect(await lastValueFrom(interceptor.intercept(ctx, returning(plain)))).toBe(plain);
    expect(await lastValueFrom(interceptor.intercept(ctx, returning(undefined)))).toBeUndefined();
    expect(statuses).toEqual([]);
  });
});
