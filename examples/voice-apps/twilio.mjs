// A hand-written Twilio voice app, the way Twilio's docs teach it: Express,
// `twilio.webhook()` checking X-Twilio-Signature, and `VoiceResponse` building
// the TwiML. Nothing in it knows about callscript: `callscript phone --provider
// twilio --app-url http://127.0.0.1:3000/voice` rings it offline exactly as
// Twilio would (docs/simulators.md).
//
//   TWILIO_AUTH_TOKEN=… node examples/voice-apps/twilio.mjs   # listens on PORT (3000)
import express from 'express';
import twilio from 'twilio';
import { MESSAGES, SALES_NUMBER } from './messages.mjs';

const { VoiceResponse } = twilio.twiml;
const VOICE = { voice: 'Polly.Joanna', language: 'en-US' };

/** @param {{ authToken: string }} options */
export function createApp({ authToken }) {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  // Validates the signature over the URL Twilio requested and the form fields; 403 otherwise.
  const fromTwilio = twilio.webhook(authToken);
  const send = (res, response) => res.type('text/xml').send(response.toString());

  app.post('/voice', fromTwilio, (_req, res) => {
    const response = new VoiceResponse();
    const gather = response.gather({ action: '/menu', numDigits: 1, timeout: 5 });
    gather.say(VOICE, MESSAGES.menu);
    // Nothing pressed: Twilio goes on with the next verb.
    response.say(VOICE, MESSAGES.noInput);
    response.hangup();
    send(res, response);
  });

  app.post('/menu', fromTwilio, (req, res) => {
    const response = new VoiceResponse();
    if (req.body.Digits === '1') {
      response.say(VOICE, MESSAGES.connecting);
      const dial = response.dial({ action: '/dial-status', timeout: 20 });
      dial.number(SALES_NUMBER);
    } else if (req.body.Digits === '2') {
      response.say(VOICE, MESSAGES.leaveMessage);
      response.record({ action: '/recorded', maxLength: 60, playBeep: true });
    } else {
      response.say(VOICE, MESSAGES.invalid);
      response.redirect('/voice');
    }
    send(res, response);
  });

  app.post('/dial-status', fromTwilio, (req, res) => {
    const response = new VoiceResponse();
    if (req.body.DialCallStatus === 'completed') {
      response.hangup();
    } else {
      response.say(VOICE, MESSAGES.salesBusy);
      response.record({ action: '/recorded', maxLength: 60, playBeep: true });
    }
    send(res, response);
  });

  app.post('/recorded', fromTwilio, (req, res) => {
    app.locals.recordings = [...(app.locals.recordings ?? []), req.body.RecordingUrl];
    const response = new VoiceResponse();
    response.say(VOICE, MESSAGES.saved);
    response.hangup();
    send(res, response);
  });

  app.post('/status', fromTwilio, (req, res) => {
    app.locals.statuses = [...(app.locals.statuses ?? []), req.body.CallStatus];
    res.sendStatus(204);
  });

  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 3000);
  createApp({ authToken: process.env.TWILIO_AUTH_TOKEN ?? '' }).listen(port, () => console.log(`Twilio voice app on http://127.0.0.1:${port}/voice`));
}
