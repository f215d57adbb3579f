/**
 * How the feature server signs a hook (../shared/providers.md §4.4):
 * `Jambonz-Signature: t=<unix seconds>,v1=<hex>`, the hex being HMAC-SHA256 of
 * `<t>.<body>` keyed with the account's webhook secret, over the very bytes it
 * posts. Written here from the reference, not taken from the adapter: the
 * simulator checks the adapter's verifier rather than agreeing with it by
 * construction.
 */
import { createHmac } from 'node:crypto';

export type JambonzSigner = (body: string) => Record<string, string>;

export function jambonzSigner(secret: string, nowSeconds: () => number = () => Math.floor(Date.now() / 1000)): JambonzSigner {
  return (body) => {
    const t = nowSeconds();
    const v1 = createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');
    return { 'Jambonz-Signature': `t=${t},v1=${v1}` };
  };
}
