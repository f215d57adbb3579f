/** Static checks that catch menu bugs before callers do; run by `compile` after the format checks. */
export { checkInputLoops, LOOP_WITHOUT_INPUT } from './input-loops.js';
export { BRANCH_NOT_OFFERED, KEY_WITHOUT_BRANCH, checkMenuKeys } from './menu-keys.js';
export { keyMentions, type KeyMention } from './key-mentions.js';
export { MESSAGE_TOO_LONG, PROVIDER_LIMIT, PROVIDER_UNSUPPORTED, checkCapabilities } from './capabilities.js';
export { HOIIO_MARKUP, checkMessageForms } from './message-forms.js';
