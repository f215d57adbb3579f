/**
 * The runtime guard behind the static loop check: a call that keeps going round
 * (here a caller asking for the menu again and again) is ended politely at
 * `--max-steps`, on a running server.
 */
import { describe, expect, it } from 'vitest';
import { POLITE_HANGUP } from '../../src/engine/messages.js';
import { scriptedCaller } from '../../src/simulator/index.js';
import { captureLogger, spoken, startTestServer } from '../helpers/dev-server.js';
import { mustCompile } from '../helpers/compile.js';

const MENU = `name: again
numbers: ["+6560000601"]
steps:
  menu:
    gather: "Press 9 to hear this again. Press 1 to leave."
    branches: { "9": menu, "1": bye }
  bye:
    hangup: Goodbye.
`;

describe('step limit', () => {
  it('ends a call politely when it reaches --max-steps, with a log line', async () => {
    const logs = captureLogger();
    const dev = await startTestServer({
      scripts: [mustCompile(MENU, 'again.yaml')],
      log: logs.log,
      flags: { port: 0, host: '127.0.0.1', hoiioTimeout: 5_000, signatureMode: 'enforce', maxSteps: 5, maxBody: 65_536 },
    });
    try {
      const call = dev.simulator.ring({ to: '+6560000601', from: '+6591234567', caller: scriptedCaller({ presses: Array<string>(10).fill('9') }) });
      await call.ended;
      await dev.simulator.settled();
      await dev.runner.drain();
      const heard = spoken(call);
      expect(heard.filter(([block]) => block === 'gather')).toHaveLength(5);
      expect(heard.at(-1)).toEqual(['hangup', POLITE_HANGUP['step-limit']]);
      expect(logs.lines().find((l) => l.msg === 'call.step_limit')).toMatchObject({ script: 'again', limit: 5 });
      expect(logs.lines().find((l) => l.msg === 'call.ended' && l.session === call.session)).toMatchObject({ outcome: 'step-limit' });
    } finally {
      await dev.close();
    }
  });
});
