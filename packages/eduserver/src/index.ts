// @dendrite-ts/eduserver: typing notifications with timeouts and read receipts. Named exports only.
export {
  eduserverContract,
  type EduserverContract,
  type EduserverApi,
  type EduserverClient,
  type EduserverForClient,
  type PerformTypingRequest,
  type PerformReceiptRequest,
} from "./api";
export {
  createEduserver,
  DEFAULT_TYPING_TIMEOUT_MS,
  MAX_TYPING_TIMEOUT_MS,
  type Eduserver,
  type EduserverDeps,
  type EduserverStreams,
} from "./eduserver";
export {
  OUTPUT_TYPING_EVENT,
  OUTPUT_RECEIPT_EVENT,
  RECEIPT_TYPES,
  outputTypingEventStream,
  outputReceiptEventStream,
  outputTypingEventSchema,
  outputReceiptEventSchema,
  typingSubject,
  receiptSubject,
  type OutputTypingEvent,
  type OutputReceiptEvent,
  type ReceiptType,
} from "./output";
