// @dendrite-ts/eduserver: typing notifications with timeouts, read receipts and to-device messages. Named exports only.
export {
  eduserverContract,
  type EduserverContract,
  type EduserverApi,
  type EduserverClient,
  type EduserverForClient,
  type PerformTypingRequest,
  type PerformReceiptRequest,
  type PerformSendToDeviceRequest,
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
  OUTPUT_SEND_TO_DEVICE_EVENT,
  RECEIPT_TYPES,
  outputTypingEventStream,
  outputReceiptEventStream,
  outputSendToDeviceEventStream,
  outputTypingEventSchema,
  outputReceiptEventSchema,
  outputSendToDeviceEventSchema,
  typingSubject,
  receiptSubject,
  sendToDeviceSubject,
  type OutputTypingEvent,
  type OutputReceiptEvent,
  type OutputSendToDeviceEvent,
  type ReceiptType,
} from "./output";
