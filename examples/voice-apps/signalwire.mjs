// A hand-written SignalWire cXML (LaML) app with SignalWire's compatibility
// package: Express, its `webhook()` middleware checking X-SignalWire-Signature
// with the project's Signing Key, and its `VoiceResponse`. SignalWire wants
// absolute URLs in replies, so the app is told where it is reachable.
//
//   SIGNALWIRE_SIGNING_KEY=PSK_… PUBLIC_URL=https://… node examples/voice-apps/signalwire.mjs
import express from 'express';
import { RestClient } from '@signalwire/compatibility-api';
import { MESSAGES, SALES_NUMBER } from './messages.mjs';

const VOICE = { voice: 'Polly.Joanna', language: 'en-US' };

/** @param {{ signingKey: string, publicUrl: string }} options */
export function createApp({ signingKey, publicUrl }) {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  const base = publicUrl.replace(/\/+$/, '');
  const at = (path) => `${base}${path}`;
  // Checks the signature over the public URL SignalWire requested (not the Host it reached).
  const fromSignalWire = (req, res, next) => RestClient.webhook(signingKey, { url: at(req.originalUrl) })(req, res, next);
  const send = (res, response) => res.type('text/xml').send(response.toString());

  app.post('/voice', fromSignalWire, (_req, res) => {
    const response = new RestClient.LaML.VoiceResponse();
    const gather = response.gather({ action: at('/menu'), numDigits: 1, timeout: 5 });
    gather.say(VOICE, MESSAGES.menu);
    response.say(VOICE, MESSAGES.noInput);
    response.hangup();
    send(res, response);
  });

  app.post('/menu', fromSignalWire, (req, res) => {
    const response = new RestClient.LaML.VoiceResponse();
    if (req.body.Digits === '1') {
      response.say(VOICE, MESSAGES.connecting);
      response.dial({ action: at('/dial-status'), timeout: 20 }).number(SALES_NUMBER);
    } else if (req.body.Digits === '2') {
      response.say(VOICE, MESSAGES.leaveMessage);
      response.record({ action: at('/recorded'), maxLength: 60, playBeep: true });
    } else {
      response.say(VOICE, MESSAGES.invalid);
      response.redirect(at('/voice'));
    }
    send(res, response);
  });

  app.post('/dial-status', fromSignalWire, (req, res) => {
    const response = new RestClient.LaML.VoiceResponse();
    if (req.body.DialCallStatus === 'completed') {
      response.hangup();
    } else {
      response.say(VOICE, MESSAGES.salesBusy);
      response.record({ action: at('/recorded'), maxLength: 60, playBeep: true });
    }
    send(res, response);
  });

  app.post('/recorded', fromSignalWire, (req, res) => {
    app.locals.recordings = [...(app.locals.recordings ?? []), req.body.RecordingUrl];
    const response = new RestClient.LaML.VoiceResponse();
    response.say(VOICE, MESSAGES.saved);
    response.hangup();
    send(res, response);
  });

  app.post('/status', fromSignalWire, (req, res) => {
    app.locals.statuses = [...(app.locals.statuses ?? []), req.body.CallStatus];
    res.sendStatus(204);
  });

  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 3000);
  const publicUrl = process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`;
  createApp({ signingKey: process.env.SIGNALWIRE_SIGNING_KEY ?? '', publicUrl }).listen(port, () => console.log(`SignalWire voice app on ${publicUrl}/voice`));
}
