import { ModuleException } from '../common/app.exception.js';
import { ErrorCode } from '../common/error-codes.js';

export type ChatErrorReason =
  | 'NOT_PARTICIPANT'
  | 'NOT_OWNER'
  | 'NOT_SENDER'
  | 'MESSAGE_DELETED'
  | 'MESSAGE_NOT_IN_CONVERSATION'
  | 'UNKNOWN_USERS'
  | 'NOT_A_PARTICIPANT_TO_REMOVE'
  | 'GROUP_FULL'
  | 'DIRECT_CONVERSATION'
  | 'INVALID_PARTICIPANTS'
  | 'BAD_CURSOR'
  | 'CLIENT_MSG_ID_REUSED';

/** Coded errors of the chat module; `reason` says which rule, `code` is the contract's. */
export class ChatException extends ModuleException<ChatErrorReason> {
  /** Also for a conversation or message that does not exist: existence is not revealed. */
  static notParticipant(): ChatException {
    return new ChatException(
      'NOT_PARTICIPANT',
      ErrorCode.FORBIDDEN,
      'Not a participant of this conversation',
    );
  }
  static notOwner(): ChatException {
    return new ChatException('NOT_OWNER', ErrorCode.FORBIDDEN, 'Only the group owner may do this');
  }
  static notSender(): ChatException {
    return new ChatException(
      'NOT_SENDER',
      ErrorCode.FORBIDDEN,
      'Only the sender may edit this message',
    );
  }
  static messageDeleted(current: unknown): ChatException {
    return new ChatException('MESSAGE_DELETED', ErrorCode.CONFLICT, 'The message was deleted', {
      current,
    });
  }
  static messageNotInConversation(): ChatException {
    return new ChatException(
      'MESSAGE_NOT_IN_CONVERSATION',
      ErrorCode.NOT_FOUND,
      'No such message in this conversation',
    );
  }
  static unknownUsers(field: string, ids: string[]): ChatException {
    return new ChatException('UNKNOWN_USERS', ErrorCode.BAD_REQUEST, 'Unknown users', [
      { field, errors: [`unknown user ids: ${ids.join(', ')}`] },
    ]);
  }
  static notAParticipantToRemove(): ChatException {
    return new ChatException(
      'NOT_A_PARTICIPANT_TO_REMOVE',
      ErrorCode.NOT_FOUND,
      'That user is not a participant',
    );
  }
  static groupFull(max: number): ChatException {
    return new ChatException(
      'GROUP_FULL',
      ErrorCode.BAD_REQUEST,
      `A group has at most ${max} participants`,
      [{ field: 'userIds', errors: [`a group has at most ${max} participants`] }],
    );
  }
  static directConversation(): ChatException {
    return new ChatException(
      'DIRECT_CONVERSATION',
      ErrorCode.BAD_REQUEST,
      'A direct conversation always has its two participants',
    );
  }
  static invalidParticipants(message: string): ChatException {
    return new ChatException('INVALID_PARTICIPANTS', ErrorCode.BAD_REQUEST, message, [
      { field: 'participantIds', errors: [message] },
    ]);
  }
  static badCursor(field: string): ChatException {
    return new ChatException('BAD_CURSOR', ErrorCode.BAD_REQUEST, 'Invalid cursor', [
      { field, errors: [`${field} must be a nextCursor this API returned`] },
    ]);
  }
  static clientMsgIdReused(current: unknown): ChatException {
    return new ChatException(
      'CLIENT_MSG_ID_REUSED',
      ErrorCode.CONFLICT,
      'This clientMsgId was used for a message in another conversation',
      { current },
    );
  }
}
