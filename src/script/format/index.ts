/** `callscript fmt`: the canonical layout of script files. */
export { FormatMeaningError, formatScript, meaning, sameMeaning, type FormatResult } from './format-script.js';
export { BLOCK_ORDER, STEP_ORDER, TOP_LEVEL_ORDER } from './key-order.js';
