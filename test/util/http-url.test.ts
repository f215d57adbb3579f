import { describe, expect, it } from 'vitest';
import { isHttpScheme, isHttpUrl, parseHttpUrl } from '../../src/util/http-url.js';

describe('http(s) URLs', () => {
  it('absolute http and https URLs are, in any case of the scheme', () => {
    for (const url of ['http://example.com', 'https://example.com:8443/a?b=1#c', 'HTTPS://EXAMPLE.COM/', 'http://127.0.0.1:3000/hoiio/notify', 'https://user:pw@host/x']) {
      expect(isHttpUrl(url)).toBe(true);
    }
    expect(parseHttpUrl('https://example.com/a')?.pathname).toBe('/a');
  });

  it('other schemes, relative paths, bare words and hostless URLs are not', () => {
    for (const url of ['', 'example.com', '/relative/path', 'file:///etc/passwd', 'ftp://example.com', 'javascript:alert(1)', 'data:text/plain,x', 'http://', 'https:// space.com', 'ws://host']) {
      expect(isHttpUrl(url)).toBe(false);
      expect(parseHttpUrl(url)).toBeUndefined();
    }
  });

  it('isHttpScheme looks at a parsed URL', () => {
    expect(isHttpScheme(new URL('https://a.b'))).toBe(true);
    expect(isHttpScheme(new URL('mailto:a@b.c'))).toBe(false);
  });
});
