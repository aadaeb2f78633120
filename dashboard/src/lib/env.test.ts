import { describe, expect, it } from 'vitest';

import { type BrowserFacts, readEnv } from './env';

const BROWSER: BrowserFacts = {
  protocol: 'http:',
  host: '127.0.0.1:8000',
  hasWebSocket: true,
  hasFetch: true,
  hasAnimationFrame: true,
  hasResizeObserver: true,
};

describe('readEnv', () => {
  it('derives the live URL from the page origin', () => {
    expect(readEnv(BROWSER)).toEqual({
      ok: true,
      env: { apiBaseUrl: '/api/v1', liveUrl: 'ws://127.0.0.1:8000/ws/live/' },
    });
  });

  it('uses wss behind https', () => {
    const result = readEnv({ ...BROWSER, protocol: 'https:', host: 'dash.example' });
    expect(result.ok && result.env.liveUrl).toBe('wss://dash.example/ws/live/');
  });

  it('lists every problem at once', () => {
    const result = readEnv({ ...BROWSER, protocol: 'file:', host: '', hasWebSocket: false, hasResizeObserver: false });
    expect(result).toEqual({
      ok: false,
      problems: [
        'the page must be served over http or https, not file:',
        'the page has no host to reach the server on',
        'this browser lacks WebSocket',
        'this browser lacks ResizeObserver',
      ],
    });
  });
});
