export { HoiioClient, type HoiioClientOptions } from './client.js';
export { hoiioParams, encodeForm, HOIIO_PATHS } from './params.js';
export { parseHoiioNotification, hoiioEvent, type HoiioNotification } from './notification.js';
export { checkHoiioSignature, hoiioSignature, type SignatureMode, type SignatureVerdict } from './signature.js';
export { HOIIO_OK, HOIIO_RETRYABLE, HOIIO_SESSION_GONE } from './status.js';
