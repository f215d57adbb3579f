/**
 * Counters for the scripting features on `GET /metrics`: call-summary
 * deliveries by result, and http steps by outcome. Registered on the server's
 * metrics registry next to the engine's own.
 */
import { Counter, type Registry } from 'prom-client';
import type { RunnerHooks } from '../runtime/hooks.js';
import type { DeliveryResult } from './delivery.js';

export interface ScriptingMetrics {
  readonly onDelivery: (result: DeliveryResult) => void;
  readonly hooks: RunnerHooks;
}

export function scriptingMetrics(registry: Registry): ScriptingMetrics {
  const deliveries = new Counter({
    name: 'callscript_event_deliveries_total',
    help: 'Call summary (events_url) delivery attempts by result: delivered, retry, gave-up, unsigned (refused: no secret)',
    labelNames: ['result'],
    registers: [registry],
  });
  const http = new Counter({
    name: 'callscript_http_steps_total',
    help: 'http steps by outcome: the status class (2xx, 4xx, 5xx…) or the failure (timeout, network, malformed, too-large, bad-request)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return {
    onDelivery: (result) => deliveries.inc({ result }),
    hooks: {
      notes: (_state, notes) => {
        for (const note of notes) {
          if (note.type !== 'http.done') continue;
          http.inc({ outcome: note.failure ?? (note.status !== undefined ? `${Math.floor(note.status / 100)}xx` : 'unknown') });
        }
      },
    },
  };
}
