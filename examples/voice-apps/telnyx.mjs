// A hand-written Telnyx TeXML app: Express keeps the raw body, the `telnyx`
// package's webhook verifier checks the Ed25519 signature over
// `telnyx-timestamp|body` with the account's public key, and the replies are
// TeXML written as text (Telnyx ships no TeXML builder).
//
//   TELNYX_PUBLIC_KEY=… node examples/voice-apps/telnyx.mjs
import express from 'express';
import { TelnyxWebhook } from 'telnyx/lib/webhooks';
import { MESSAGES, SALES_NUMBER } from './messages.mjs';

const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const say = (text) => `<Say voice="Polly.Joanna" language="en-US">${escape(text)}</Say>`;
const texml = (...verbs) => `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs.join('')}</Response>`;
const record = '<Record action="/recorded" maxLength="60" playBeep="true"/>';

/** @param {{ publicKey: string }} options */
export function createApp({ publicKey }) {
  const app = express();
  const verifier = new TelnyxWebhook(publicKey);
  app.use(express.raw({ type: '*/*' }));
  // 403 unless the body is signed by Telnyx's key; then the form fields as req.fields.
  const fromTelnyx = async (req, res, next) => {
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    try {
      await verifier.verify(raw, { 'telnyx-signature-ed25519': req.get('telnyx-signature-ed25519') ?? '', 'telnyx-timestamp': req.get('telnyx-timestamp') ?? '' });
    } catch {
      res.sendStatus(403);
      return;
    }
    req.fields = Object.fromEntries(new URLSearchParams(raw));
    next();
  };
  const send = (res, body) => res.type('text/xml').send(body);

  app.post('/voice', fromTelnyx, (_req, res) => {
    send(res, texml(`<Gather action="/menu" numDigits="1" timeout="5">${say(MESSAGES.menu)}</Gather>`, say(MESSAGES.noInput), '<Hangup/>'));
  });

  app.post('/menu', fromTelnyx, (req, res) => {
    if (req.fields.Digits === '1') send(res, texml(say(MESSAGES.connecting), `<Dial action="/dial-status" timeout="20"><Number>${SALES_NUMBER}</Number></Dial>`));
    else if (req.fields.Digits === '2') send(res, texml(say(MESSAGES.leaveMessage), record));
    else send(res, texml(say(MESSAGES.invalid), '<Redirect>/voice</Redirect>'));
  });

  app.post('/dial-status', fromTelnyx, (req, res) => {
    if (req.fields.DialCallStatus === 'completed') send(res, texml('<Hangup/>'));
    else send(res, texml(say(MESSAGES.salesBusy), record));
  });

  app.post('/recorded', fromTelnyx, (req, res) => {
    app.locals.recordings = [...(app.locals.recordings ?? []), req.fields.RecordingUrl];
    send(res, texml(say(MESSAGES.saved), '<Hangup/>'));
  });

  app.post('/status', fromTelnyx, (req, res) => {
    app.locals.statuses = [...(app.locals.statuses ?? []), req.fields.CallStatus];
    res.sendStatus(204);
  });

  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 3000);
  createApp({ publicKey: process.env.TELNYX_PUBLIC_KEY ?? '' }).listen(port, () => console.log(`Telnyx TeXML app on http://127.0.0.1:${port}/voice`));
}
