/**
 * The soak's call scripts: every block kind, menus with invalid-input retries and
 * no-input paths, transfers with and without a fallback, recordings, an account
 * collector, and an outbound call. Kept here (not the examples) so the soak does
 * not change when the examples do.
 */
export const SOAK_SCRIPTS: Readonly<Record<string, string>> = {
  'front-desk.yaml': `name: front-desk
numbers: ["+6560001001"]
vars: { company: Acme }
defaults:
  gather: { timeout: 5, attempts: 2 }
  invalid: { message: "Sorry, that is not a valid choice.", retries: 1 }
steps:
  welcome:
    monitor: "Welcome to {{company}}. This call may be recorded."
    next: menu
  menu:
    gather: { prompt: "For sales press 1. For support press 2. For your account press 3. To hear this again press 9.", max_digits: 1 }
    branches: { "1": sales, "2": support, "3": account, "9": menu }
    invalid: { goto: operator }
    no_input: goodbye
  sales:
    transfer: { to: "+6562223333", message: "Connecting you to sales.", caller_id: "{{call.from}}" }
    on_failure: voicemail
  support:
    transfer: { to: "+6562224444", message: "Connecting you to support." }
  account:
    gather: { prompt: "Enter your account number, then press hash.", max_digits: 6 }
    save_as: account
    next: confirm
    no_input: menu
  confirm:
    gather: { prompt: "You entered {{spell account}}. Press 1 if that is right, 2 to try again.", max_digits: 1 }
    branches: { "1": operator, "2": account }
    no_input: goodbye
  operator:
    transfer: { to: "+6562220000", message: "Please hold." }
    on_failure: voicemail
  voicemail:
    record: { prompt: "Please leave a message after the tone.", max_duration: 30 }
    save_as: voicemail_url
    next: thanks
  thanks:
    hangup: "Thank you for calling {{company}}. Goodbye."
  goodbye:
    hangup: "Goodbye."
`,
  'hotline.yaml': `name: hotline
numbers: ["+6560001002"]
steps:
  intro:
    play: "You have reached the hotline."
    next: choose
  choose:
    gather: { prompt: "Press 1 for opening hours, 2 to leave a message.", max_digits: 1, timeout: 3 }
    branches: { "1": hours, "2": message }
    invalid: { message: "Please press 1 or 2.", retries: 2 }
  hours:
    play: "We are open nine to five."
    next: bye
  message:
    record: { prompt: "Speak after the tone.", max_duration: 20 }
    next: bye
  bye:
    hangup: "Goodbye."
`,
  'reminder.yaml': `name: reminder
numbers: []
vars: { name: there }
steps:
  remind:
    play: "Hello {{name}}, this is a reminder of your appointment."
    next: confirm
  confirm:
    gather: { prompt: "Press 1 to confirm, 2 to talk to us.", max_digits: 1, timeout: 5, attempts: 2 }
    branches: { "1": confirmed, "2": desk }
    invalid: { retries: 1 }
    no_input: confirmed
  desk:
    transfer: { to: "+6562220000", message: "Connecting you." }
    on_failure: confirmed
  confirmed:
    hangup: "Thank you. Goodbye."
`,
};

/** The inbound numbers the soak rings, in turn. */
export const SOAK_NUMBERS: readonly string[] = ['+6560001001', '+6560001002'];
