/**
 * `callscript call`: the terminal phone, run as a child process — scripted with --press,
 * interactive through piped stdin, JSON lines, exit codes, and against a running dev
 * server with --server (the command the dev banner prints).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { DevServer } from '../../src/dev/server.js';
import { startTestServer, TEST_API_TOKEN } from '../helpers/dev-server.js';
import { runCli } from '../testbench/cli.js';

const ACME_BUSY_SALES = [
  '◉ monitor "Welcome to Acme. This call may be recorded for quality purposes."',
  '⌨ gather (1 digit, 10 s, 2 attempts, tag "main-menu") "For sales press 1. For support press 2. For your account press 3. To hear these options again press 9. For the operator press 0."',
  '  ⇢ pressed 1',
  '↪ transfer to +6562223333 from +6591234567 (tag "sales") "Connecting you to our sales team."',
  '  ⇢ transfer busy',
  '● record (max 120 s) "Sorry, no one is available. Please leave your name, number and a short message after the tone."',
  '  ⇢ spoke for 3 s',
  '■ hangup "Thank you for calling Acme. Goodbye."',
  '— call ended: the script hung up (outcome: completed)',
  '',
].join('\n');

describe('callscript call on the built-in simulator', () => {
  it('scripted: --press and --transfer, each block as the caller hears it, exit 0', async () => {
    const r = await runCli(['call', 'acme', '--press', '1', '--transfer', 'busy']);
    expect(r.stdout).toBe(ACME_BUSY_SALES);
    expect(r.code).toBe(0);
  });

  it('interactive through piped stdin: keys, Enter, a bad answer asked again, transfer outcomes as words or letters', async () => {
    const [sales, account, hangup, eof] = await Promise.all([
      runCli(['call', 'acme'], { input: '1\nmaybe\nb\n\n' }),
      runCli(['call', '+6560000001'], { input: '3\n12345678\n\n\n0\nu\n\n' }),
      runCli(['call', 'acme'], { input: 'h\n' }),
      runCli(['call', 'acme'], { input: '' }),
    ]);
    expect(sales.stdout).toBe(ACME_BUSY_SALES);
    expect(sales.stderr).toContain('? keys (up to 1), then Enter — Enter alone = no input, h = hang up: ');
    expect(sales.stderr).toContain('answer answered, busy, unanswered or failed (a/b/u/f)');
    expect(sales.code).toBe(0);

    // Called by number. Enter alone is no input: the confirmation asks for the number again, then the menu comes back.
    expect(account.stdout).toContain(['⌨ gather (8 digits, 15 s, 2 attempts) "Please enter your 8 digit account number, then press hash."', '  ⇢ pressed 12345678'].join('\n'));
    expect(account.stdout).toContain('  ⇢ no input\n⌨ gather (8 digits, 15 s, 2 attempts)');
    expect(account.stdout).toContain('  ⇢ no input\n⌨ gather (1 digit, 10 s, 2 attempts, tag "main-menu")');
    expect(account.stdout).toContain('↪ transfer to +6562220000 from +6591234567 "Please hold for the operator."\n  ⇢ transfer unanswered\n● record');
    expect(account.stdout).toContain('  ⇢ spoke for 3 s\n■ hangup "Thank you for calling Acme. Goodbye."');
    expect(account.code).toBe(0);

    expect(hangup.stdout).toContain('  ⇢ hung up\n— call ended: the caller hung up (outcome: caller-hangup)');
    expect(hangup.code).toBe(0);
    expect(eof.stderr).toContain('(end of input: hanging up)');
    expect(eof.code).toBe(0);
  });

  it('--json prints the transcript as JSON lines; outbound with --var', async () => {
    const r = await runCli(['call', 'reminder', '--var', 'name=Bob', '--to', '+6598765432', '--press', '1', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { type: 'turn', block: 'dial', params: { to: '+6598765432' }, caller: { outcome: 'answered' } },
      { type: 'turn', block: 'play', message: 'Hello Bob, this is Acme Clinic reminding you of your appointment tomorrow at 10 am.', params: {} },
      {
        type: 'turn',
        block: 'gather',
        message: 'To confirm your appointment press 1. To reschedule press 2.',
        params: { max_digits: '1', timeout: '8', attempts: '3' },
        caller: { press: '1' },
      },
      { type: 'turn', block: 'hangup', message: 'Thank you, Bob. We look forward to seeing you tomorrow at 10 am. Goodbye.', params: {} },
      { type: 'end', reason: 'script-hangup', outcome: 'completed', stuck: false },
    ]);
  });

  it('exit 1 when the engine ends the call with an apology, or the number is not in service; exit 2 on usage errors', async () => {
    const [apology, unknownNumber, unknownScript, undeclared] = await Promise.all([
      // A var so long the message exceeds the provider's 1000 characters: the engine apologises and hangs up.
      runCli(['call', 'reminder', '--var', `name=${'x'.repeat(1000)}`, '--press', '1']),
      runCli(['call', '+6569999999', '--press', '1']),
      runCli(['call', 'acmee']),
      runCli(['call', 'reminder', '--var', 'colour=red', '--press', '1']),
    ]);
    expect(apology.stdout).toContain('■ hangup "Sorry, we are having technical difficulties. Please call again later. Goodbye."\n— call ended: the script hung up (outcome: error)');
    expect(apology.code).toBe(1);
    expect(unknownNumber.stdout).toBe('■ hangup "Sorry, this number is not in service. Goodbye."\n— call ended: the script hung up\n');
    expect(unknownNumber.code).toBe(1);
    expect(unknownScript.stderr).toContain('no script named "acmee" in examples/; did you mean "acme"?');
    expect(unknownScript.code).toBe(2);
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['node', 'callscript', 'call', 'acme', '--press', '1,x'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toContain('"x" is not keys (0-9, * and #; empty = no input)');
    expect(undeclared.stderr).toContain('does not declare "colour"');
    expect(undeclared.code).toBe(2);
  });
});

describe('callscript call: the caller and the direction', () => {
  it('scripted empty presses are no input; --from and --to set the inbound caller and number', async () => {
    const [r, from] = await Promise.all([
      runCli(['call', 'acme', '--from', '+6590000001', '--to', '+6560000001', '--press', '3,,9,', '--transfer', 'busy']),
      runCli(['call', 'acme', '--from', '+6590000001', '--press', '1', '--transfer', 'busy']),
    ]);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('  ⇢'))).toEqual(['  ⇢ pressed 3', '  ⇢ no input', '  ⇢ pressed 9', '  ⇢ no input']);
    expect(r.stdout).toContain('■ hangup "We did not receive your choice. Thank you for calling Acme. Goodbye."');
    expect(r.code).toBe(0);
    expect(from.stdout).toContain('↪ transfer to +6562223333 from +6590000001 (tag "sales")');
  });

  it('--outbound on a script with numbers dials --to, presenting --from; the callee answers', async () => {
    const r = await runCli(['call', 'acme', '--outbound', '--to', '+6598765432', '--from', '+6560000001', '--press', '0', '--transfer', 'answered']);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      '☎ dial to +6598765432 from +6560000001',
      '  ⇢ callee: answered',
      '◉ monitor "Welcome to Acme. This call may be recorded for quality purposes."',
    ]);
    expect(r.stdout).toContain('— call ended: the transfer was answered (outcome: transferred)');
    expect(r.code).toBe(0);
  });

  it('interactive outbound: asks how the callee answers; Enter = answered, a letter or a word for the others', async () => {
    const [unanswered, answered] = await Promise.all([
      runCli(['call', 'reminder', '--to', '+6598765432'], { input: 'u\n' }),
      runCli(['call', 'reminder', '--to', '+6598765432'], { input: '\n1\n' }),
    ]);
    expect(unanswered.stderr).toContain('? the callee at +6598765432: answered, busy, unanswered or failed (a/b/u/f; Enter = answered): ');
    expect(unanswered.stdout).toBe(['☎ dial to +6598765432', '  ⇢ callee: unanswered', '— call ended: the callee did not answer (outcome: not-answered)', ''].join('\n'));
    // A call nobody answered did not end cleanly.
    expect(unanswered.code).toBe(1);
    expect(answered.stdout).toContain('☎ dial to +6598765432\n  ⇢ callee: answered\n▶ play "Hello there, this is Acme Clinic');
    expect(answered.stdout).toContain('  ⇢ pressed 1\n■ hangup "Thank you, there.');
    expect(answered.code).toBe(0);
  });
});

describe('callscript call --server (a running dev server)', () => {
  let dev: DevServer;
  beforeAll(async () => {
    dev = await startTestServer();
  });
  afterAll(async () => {
    await dev.close();
  });

  it('the dev banner\'s command works; interactive and outbound calls go through /sim and POST /calls', async () => {
    const [banner, interactive, outbound] = await Promise.all([
      runCli(['call', 'account', '--server', dev.url, '--press', '1']),
      runCli(['call', 'acme', '--server', dev.url], { input: '2\nbusy\nanswered\n' }),
      runCli(['call', 'reminder', '--server', dev.url, '--token', TEST_API_TOKEN, '--var', 'name=Ann', '--press', '2', '--transfer', 'busy', '--json']),
    ]);
    expect(banner.stdout).toBe(
      [
        '⌨ gather (8 digits, 15 s, 2 attempts) "Welcome to Acme accounts. Please enter your 8 digit account number, then press hash."',
        '  ⇢ pressed 1',
        '⌨ gather (1 digit) "You entered 1. To confirm press 1. To enter it again press 2."',
        '  ⇢ hung up',
        '— call ended: the caller hung up (outcome: caller-hangup)',
        '',
      ].join('\n'),
    );
    expect(banner.code).toBe(0);

    expect(interactive.stdout).toContain('▶ play "All our support staff are busy right now. Let me try the operator."');
    expect(interactive.stdout).toContain('  ⇢ transfer answered\n— call ended: the transfer was answered (outcome: transferred)');
    expect(interactive.code).toBe(0);

    const turns = outbound.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; block?: string; message?: string; outcome?: string });
    expect(turns.map((t) => t.block ?? t.type)).toEqual(['dial', 'play', 'gather', 'transfer', 'record', 'hangup', 'end']);
    expect(turns[1]?.message).toBe('Hello Ann, this is Acme Clinic reminding you of your appointment tomorrow at 10 am.');
    expect(turns.at(-1)?.outcome).toBe('completed');
    expect(outbound.code).toBe(0);
  });

  it('a wrong token or an unknown script is refused (exit 2)', async () => {
    const [token, script] = await Promise.all([
      runCli(['call', 'reminder', '--server', dev.url, '--token', 'wrong', '--press', '1']),
      runCli(['call', 'nope', '--server', dev.url]),
    ]);
    expect(token.stderr).toContain('POST /calls answered 401');
    expect(token.code).toBe(2);
    expect(script.stderr).toContain('runs no script named "nope"');
    expect(script.code).toBe(2);
  });
});
