/** Generated scripts for the compile and reload benchmarks. */

/**
 * A large script: chains of plays, menus, collectors, recordings and transfers,
 * all reachable, every template text distinct (test/script/large-script.test.ts
 * compiles it too).
 */
export function generateLargeScript(steps: number): string {
  const lines = ['name: large', 'vars: { company: Acme }', 'defaults:', '  gather: { timeout: 5 }', 'steps:'];
  for (let i = 0; i < steps; i++) {
    const next = i + 1 < steps ? `s${i + 1}` : 'end';
    switch (i % 5) {
      case 0:
        lines.push(`  s${i}:`, `    play: "Step ${i} for {{company}}."`, `    next: ${next}`);
        break;
      case 1:
        lines.push(
          `  s${i}:`,
          `    gather: { prompt: "Step ${i}: press 1 to continue, 2 to go back. {{call.from}}", max_digits: 1 }`,
          `    branches: { "1": ${next}, "2": s${i - 1} }`,
          `    invalid: { message: "Sorry.", retries: 1, goto: end }`,
          `    no_input: end`,
        );
        break;
      case 2:
        lines.push(`  s${i}:`, `    gather: Enter digits.`, `    save_as: v${i}`, `    next: ${next}`);
        break;
      case 3:
        lines.push(`  s${i}:`, `    record: { prompt: "You entered {{spell v${i - 1}}}.", max_duration: 30 }`, `    next: ${next}`);
        break;
      default:
        lines.push(`  s${i}:`, `    transfer: { to: "+6562223333", message: "Connecting." }`, `    on_failure: ${next}`);
    }
  }
  lines.push('  end:', '    hangup: Goodbye.');
  return `${lines.join('\n')}\n`;
}

/** A typical menu script (about the size of examples/acme.yaml), number `i` of a folder. */
export function generateMenuScript(i: number, label = 'Welcome'): string {
  const number = `+656${String(1_000_000 + i).slice(-7)}`;
  return `name: menu-${i}
description: Generated menu ${i}
numbers: ["${number}"]
vars:
  company: Company ${i}
defaults:
  gather: { timeout: 10, attempts: 2 }
  invalid: { message: "Sorry, that is not a valid choice.", retries: 2 }
steps:
  welcome:
    play: "${label} to {{company}}. Calls may be recorded."
    next: menu
  menu:
    gather: { prompt: "For sales press 1. For support press 2. For your account press 3.", max_digits: 1 }
    branches: { "1": sales, "2": support, "3": account }
    invalid: { goto: operator }
    no_input: goodbye
  sales:
    transfer: { to: "+6562223333", message: "Connecting you to sales.", caller_id: "{{call.from}}" }
    on_failure: voicemail
  support:
    transfer: { to: "+6562224444", message: "Connecting you to support." }
    on_failure: voicemail
  account:
    gather: { prompt: "Enter your account number, then press hash.", max_digits: 8 }
    save_as: account
    next: confirm
  confirm:
    gather: { prompt: "You entered {{spell account}}. Press 1 if that is right, 2 to try again.", max_digits: 1 }
    branches: { "1": operator, "2": account }
    no_input: goodbye
  operator:
    transfer: { to: "+6562220000", message: "Please hold." }
    on_failure: voicemail
  voicemail:
    record: { prompt: "Please leave a message after the tone.", max_duration: 60 }
    save_as: voicemail_url
    next: thanks
  thanks:
    hangup: "Thank you for calling {{company}}. Goodbye."
  goodbye:
    hangup: "Goodbye."
`;
}
