/**
 * What a write returns when it may find its entity already there (a direct
 * conversation that exists, an idempotent retry, a member whose role did not
 * change). CreatedOrExistingInterceptor answers it with 201 or 200 over REST,
 * and sends `value` alone, as the response body or the socket command's ack.
 */
export class CreatedOrExisting<T> {
  constructor(
    readonly value: T,
    readonly created: boolean,
  ) {}
}
