import { describe, expect, it } from 'vitest';
import { redisUrlForLogs } from '../../src/store/redis-url.js';

describe('a Redis URL for logs', () => {
  it('hides the password, with or without a user, and keeps the rest', () => {
    expect(redisUrlForLogs('redis://user:s3cret@h:6379/1')).toBe('redis://user:***@h:6379/1');
    expect(redisUrlForLogs('rediss://:s3cret@cache.example.com:6380')).toBe('rediss://:***@cache.example.com:6380');
    expect(redisUrlForLogs('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redisUrlForLogs('redis://user:p%40ss@h/0')).toBe('redis://user:***@h/0');
  });

  it('shows nothing of a URL it cannot parse', () => {
    expect(redisUrlForLogs('redis://user:s3cret@[bad')).not.toContain('s3cret');
  });
});
