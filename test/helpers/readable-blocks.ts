/**
 * Blocks with their messages in the one readable form transcripts use
 * (`formatParts`): `Hello` for a text in the default voice, `[en-US female] Hello`
 * with a voice, `[audio URL]`, `[pause 2s]`. Engine tests compare what the caller
 * hears this way; tests of the parts themselves read `a.block` directly.
 */
import type { Block } from '../../src/engine/blocks.js';
import { formatParts, type MessagePart } from '../../src/engine/parts.js';

type Readable<B> = { [K in keyof B]: B[K] extends readonly MessagePart[] | undefined ? string : B[K] };
export type ReadableBlock = Block extends infer B ? (B extends Block ? Readable<B> : never) : never;

export function readable(block: Block): ReadableBlock {
  const out: Record<string, unknown> = { ...block };
  if ('message' in block && block.message !== undefined) out.message = formatParts(block.message);
  if ('prompt' in block && block.prompt !== undefined) out.prompt = formatParts(block.prompt);
  return out as ReadableBlock;
}
