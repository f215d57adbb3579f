/**
 * A JSON answer from a webhook provider's REST API (TwiML family, jambonz):
 * they answer JSON, errors included; what the body holds is the dialect's.
 */
import type { ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
