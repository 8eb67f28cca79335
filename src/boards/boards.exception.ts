import { ModuleException } from '../common/app.exception.js';
import { ErrorCode } from '../common/error-codes.js';

/** Why a board operation was refused; `code` is the contract's error code. */
export const BoardsError = {
  NOT_MEMBER: 'NOT_MEMBER',
  ROLE_TOO_LOW: 'ROLE_TOO_LOW',
  COLUMN_NOT_FOUND: 'COLUMN_NOT_FOUND',
  CARD_NOT_FOUND: 'CARD_NOT_FOUND',
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  MEMBER_NOT_FOUND: 'MEMBER_NOT_FOUND',
  STALE_VERSION: 'STALE_VERSION',
  INVALID_REFERENCE: 'INVALID_REFERENCE',
  LAST_OWNER: 'LAST_OWNER',
} as const;
export type BoardsError = (typeof BoardsError)[keyof typeof BoardsError];

/** A coded board error, mapped to an HTTP body or an `error` frame by the one filter. */
export class BoardsException extends ModuleException<BoardsError> {
  static notMember(boardId: string): BoardsException {
    return new BoardsException(
      BoardsError.NOT_MEMBER,
      ErrorCode.FORBIDDEN,
      `Not a member of board ${boardId}`,
    );
  }

  static roleTooLow(needed: string): BoardsException {
    return new BoardsException(
      BoardsError.ROLE_TOO_LOW,
      ErrorCode.FORBIDDEN,
      `This needs the ${needed} role on the board`,
    );
  }

  static columnNotFound(): BoardsException {
    return new BoardsException(
      BoardsError.COLUMN_NOT_FOUND,
      ErrorCode.NOT_FOUND,
      'Column not found',
    );
  }

  static cardNotFound(): BoardsException {
    return new BoardsException(BoardsError.CARD_NOT_FOUND, ErrorCode.NOT_FOUND, 'Card not found');
  }

  static userNotFound(): BoardsException {
    return new BoardsException(BoardsError.USER_NOT_FOUND, ErrorCode.NOT_FOUND, 'User not found');
  }

  static memberNotFound(): BoardsException {
    return new BoardsException(
      BoardsError.MEMBER_NOT_FOUND,
      ErrorCode.NOT_FOUND,
      'Not a member of this board',
    );
  }

  /** CONFLICT with `details.current`: the entity as it is now; nothing was written. */
  static stale(entity: 'card' | 'column', current: unknown): BoardsException {
    return new BoardsException(
      BoardsError.STALE_VERSION,
      ErrorCode.CONFLICT,
      `The ${entity} was changed by someone else (stale version)`,
      { current },
    );
  }

  /** A field names something that is not on this board (a column, card or assignee). */
  static invalidReference(field: string, message: string): BoardsException {
    return new BoardsException(BoardsError.INVALID_REFERENCE, ErrorCode.BAD_REQUEST, message, [
      { field, errors: [message] },
    ]);
  }

  static lastOwner(): BoardsException {
    return new BoardsException(
      BoardsError.LAST_OWNER,
      ErrorCode.BAD_REQUEST,
      'A board keeps at least one owner',
      [{ field: 'userId', errors: ['the last owner cannot be removed'] }],
    );
  }
}
