export { startJambonzSimulator, newJambonzCredentials, type JambonzCredentials, type JambonzSimulator, type JambonzSimulatorOptions } from './simulator.js';
export { jambonzSigner, type JambonzSigner } from './sign.js';
export { AUDIO_SUBPROTOCOL } from './listen.js';
