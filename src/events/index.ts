/** Call summaries (`events_url`): building, signing, the outbox and background delivery (the dev server's sink is in src/dev). */
export { buildSummary, type CallSummary } from './summary.js';
export { sign, verifySignature, SIGNATURE_HEADER, TIMESTAMP_HEADER, EVENT_ID_HEADER, DEFAULT_TOLERANCE_S, type VerifyResult } from './signature.js';
export { MemoryOutbox, SqliteOutbox, type EventOutbox, type OutboxItem } from './outbox.js';
export { EventDelivery, DEFAULT_DELIVERY_POLICY, type CallSummarySink, type DeliveryPolicy, type DeliveryResult, type EventDeliveryOptions } from './delivery.js';
