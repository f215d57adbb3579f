import { describe, expect, it } from 'vitest';
import { REDACTED, redactText, redactUrl } from '../../src/log/redact.js';

describe('redactUrl', () => {
  it('keeps the service and the parameter names, not their values, the userinfo or the fragment', () => {
    expect(redactUrl('https://u:p@api.example.com:8443/v1/customers/%2B6591?key=k3y&q=a%20b&q=c#tok')).toBe(
      `https://${REDACTED}:${REDACTED}@api.example.com:8443/v1/customers/%2B6591?key=${REDACTED}&q=${REDACTED}#${REDACTED}`,
    );
    expect(redactUrl('http://h/x')).toBe('http://h/x');
    expect(redactUrl('http://token@h/x?')).toBe(`http://${REDACTED}@h/x`);
  });

  it('text that is not a URL keeps what comes before its query, without userinfo', () => {
    expect(redactUrl('http://u:pw@exa mple.com/p?key=k3y')).toBe(`http://${REDACTED}@exa mple.com/p?${REDACTED}`);
    expect(redactUrl('not a url#frag')).toBe(`not a url#${REDACTED}`);
  });
});

describe('redactText', () => {
  it('removes secrets as given and percent-encoded, and a URL\'s secret parts however they are quoted', () => {
    const url = 'https://h/p?key=k3y-value&x=1';
    const text = `GET ${url} failed; "key=k3y-value"; echoed "Bearer s3cr3t" and Bearer%20s3cr3t; ${JSON.stringify(url)}`;
    const out = redactText(text, { urls: [url], secrets: ['Bearer s3cr3t'] });
    expect(out).not.toMatch(/k3y-value|s3cr3t/);
    expect(out).toContain(`GET https://h/p?key=${REDACTED}&x=${REDACTED} failed`);
  });

  it('leaves secrets too short to search for', () => {
    expect(redactText('status 1', { secrets: ['1'] })).toBe('status 1');
  });
});
