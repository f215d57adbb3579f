// A hand-written jambonz app with @jambonz/sdk: Express, the SDK's
// `WebhookResponse.verifySignature()` checking Jambonz-Signature, and
// `WebhookResponse` building the verbs. jambonz has no record verb, so the app
// records the caller with `listen`: the feature server streams the caller's
// audio to the app's WebSocket, which keeps it.
//
//   JAMBONZ_WEBHOOK_SECRET=… PUBLIC_URL=http://… node examples/voice-apps/jambonz.mjs
import { createServer } from 'node:http';
import express from 'express';
import { WebhookResponse } from '@jambonz/sdk/webhook';
import { WebSocketServer } from 'ws';
import { MESSAGES, SALES_NUMBER } from './messages.mjs';

const SYNTHESIZER = { vendor: 'google', language: 'en-US', voice: 'en-US-Standard-C' };
// The SDK compiles its JSON schemas for every WebhookResponse it validates (over a second each on a
// small machine); the feature server validates what it receives anyway, and so does the simulator.
const response = () => new WebhookResponse({ validate: false });

/** @param {{ secret: string, publicUrl: string }} options */
export function createApp({ secret, publicUrl }) {
  const app = express();
  app.use(express.json());
  const fromJambonz = WebhookResponse.verifySignature(secret);
  const wsUrl = `${publicUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}/record`;
  /** Bytes of caller audio received per call, by call_sid. */
  app.locals.recordings = new Map();
  const say = (text) => ({ text, synthesizer: SYNTHESIZER });
  const record = (jambonz) => jambonz.listen({ url: wsUrl, actionHook: '/recorded', maxLength: 60, playBeep: true, mixType: 'mono', sampleRate: 8000 });

  app.post('/voice', fromJambonz, (_req, res) => {
    const jambonz = response();
    jambonz.gather({ actionHook: '/menu', input: ['digits'], numDigits: 1, timeout: 5, say: say(MESSAGES.menu) });
    res.json(jambonz);
  });

  app.post('/menu', fromJambonz, (req, res) => {
    const jambonz = response();
    if (req.body.reason === 'timeout') {
      jambonz.say(say(MESSAGES.noInput)).hangup();
    } else if (req.body.digits === '1') {
      jambonz.say(say(MESSAGES.connecting)).dial({ actionHook: '/dial-status', timeout: 20, target: [{ type: 'phone', number: SALES_NUMBER }] });
    } else if (req.body.digits === '2') {
      record(jambonz.say(say(MESSAGES.leaveMessage)));
    } else {
      jambonz.say(say(MESSAGES.invalid)).redirect({ actionHook: '/voice' });
    }
    res.json(jambonz);
  });

  app.post('/dial-status', fromJambonz, (req, res) => {
    const jambonz = response();
    if (req.body.dial_call_status === 'completed') jambonz.hangup();
    else record(jambonz.say(say(MESSAGES.salesBusy)));
    res.json(jambonz);
  });

  app.post('/recorded', fromJambonz, (_req, res) => {
    res.json(response().say(say(MESSAGES.saved)).hangup());
  });

  app.post('/status', fromJambonz, (req, res) => {
    app.locals.statuses = [...(app.locals.statuses ?? []), req.body.call_status];
    res.sendStatus(204);
  });

  return app;
}

/** The app on an HTTP server, with the WebSocket that `listen` streams the caller's audio to. */
export function createAppServer(options) {
  const app = createApp(options);
  const server = createServer(app);
  const sockets = new WebSocketServer({ server, path: '/record' });
  sockets.on('connection', (socket) => {
    let callSid = '';
    socket.on('message', (data, isBinary) => {
      // The first text frame is the call's metadata; binary frames are the audio.
      if (!isBinary) callSid = JSON.parse(String(data)).callSid ?? JSON.parse(String(data)).call_sid ?? callSid;
      else app.locals.recordings.set(callSid, (app.locals.recordings.get(callSid) ?? 0) + data.length);
    });
  });
  return { app, server };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 3000);
  const publicUrl = process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`;
  createAppServer({ secret: process.env.JAMBONZ_WEBHOOK_SECRET ?? '', publicUrl }).server.listen(port, () => console.log(`jambonz app on ${publicUrl}/voice`));
}
