export { startTwimlSimulator, type TwimlSimulator, type TwimlSimulatorOptions } from './simulator.js';
export { TWIML_PROVIDERS, UNSEEN_PARAMS, newCredentials, telnyxPublicKeyText, accountOf, restAuthorization, type TwimlCredentials, type TwimlProvider } from './dialects.js';
export { twilioSigner, twilioSharedKeySigner, signalwireSigner, telnyxSigner, type TwimlSigner } from './sign.js';
export { parseTwimlReply, textOf, TwimlParseError, type TwimlElement } from './xml.js';
