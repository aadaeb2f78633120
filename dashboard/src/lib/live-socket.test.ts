import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { socketFactory } from '@/test/fake-socket';

import { type DecodeError, PROTOCOL, type ServerMessage, WS_CLOSE_FORBIDDEN, WS_CLOSE_NOT_AUTHENTICATED } from './contract';
import { type ConnectionState, LiveSocket, type Refusal } from './live-socket';

const URL = 'ws://dashboard.test/ws/live/';

function setup() {
  const factory = socketFactory();
  const states: ConnectionState[] = [];
  const messages: ServerMessage[] = [];
  const rejected: DecodeError[] = [];
  const refusals: Refusal[] = [];
  const live = new LiveSocket({
    url: URL,
    createSocket: factory.create,
    random: () => 0, // the shortest delay of each step: 250, 500, 1000 ms...
    policy: { baseMs: 500, maxMs: 4000, factor: 2 },
  });
  live.listen((event) => {
    if (event.kind === 'state') {
      states.push(event.state);
    } else if (event.kind === 'message') {
      messages.push(event.message);
    } else if (event.kind === 'rejected') {
      rejected.push(event.error);
    } else {
      refusals.push(event.refusal);
    }
  });
  return { factory, states, messages, rejected, refusals, live };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('LiveSocket', () => {
  it('connects, subscribes to the wanted devices and goes live on hello', () => {
    const { factory, states, messages, live } = setup();
    live.want('app', ['sim-2', 'sim-1']);
    live.start();
    expect(factory.last.url).toBe(URL);
    factory.last.accept();
    expect(factory.last.sent).toEqual([{ type: 'subscribe', devices: ['sim-1', 'sim-2'] }]);
    expect(states).toEqual(['connecting', 'live']);
    expect(messages).toEqual([{ type: 'hello', protocol: PROTOCOL }]);
  });

  it('sends only subscription changes while connected', () => {
    const { factory, live } = setup();
    live.start();
    factory.last.accept();
    live.want('app', ['sim-1', 'sim-2']);
    live.want('app', ['sim-2', 'sim-3']);
    expect(factory.last.sent).toEqual([
      { type: 'subscribe', devices: ['sim-1', 'sim-2'] },
      { type: 'unsubscribe', devices: ['sim-1'] },
      { type: 'subscribe', devices: ['sim-3'] },
    ]);
  });

  it('streams the union of what its owners want, and only the changes', () => {
    const { factory, live } = setup();
    live.want('fleet', ['sim-1', 'sim-2']);
    live.want('timelines', ['sim-2', 'sim-3']);
    live.start();
    factory.last.accept();
    live.want('fleet', ['sim-2']);
    live.want('timelines', []);
    expect(factory.last.sent).toEqual([
      { type: 'subscribe', devices: ['sim-1', 'sim-2', 'sim-3'] },
      { type: 'unsubscribe', devices: ['sim-1'] },
      { type: 'unsubscribe', devices: ['sim-3'] },
    ]);
  });

  it('stops telling a listener once it unsubscribed', () => {
    const { factory, live } = setup();
    const heard: string[] = [];
    const stop = live.listen((event) => heard.push(event.kind));
    live.start();
    stop();
    factory.last.accept();
    expect(heard).toEqual(['state']);
  });

  it('keeps each subscribe message small', () => {
    const { factory, live } = setup();
    live.want('app', Array.from({ length: 256 }, (_, i) => `device-${String(i).padStart(3, '0')}`));
    live.start();
    factory.last.accept();
    const sizes = (factory.last.sent as { devices: string[] }[]).map((m) => m.devices.length);
    expect(sizes).toEqual([100, 100, 56]);
  });

  it('reconnects with growing, capped delays and subscribes again', () => {
    const { factory, states, live } = setup();
    live.want('app', ['sim-1']);
    live.start();
    factory.last.accept();
    const delays: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      factory.last.drop();
      const before = factory.sockets.length;
      const started = Date.now();
      vi.advanceTimersToNextTimer();
      expect(factory.sockets.length).toBe(before + 1);
      delays.push(Date.now() - started);
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 2000]);
    expect(states.slice(0, 3)).toEqual(['connecting', 'live', 'reconnecting']);
    factory.last.accept();
    expect(factory.last.sent).toEqual([{ type: 'subscribe', devices: ['sim-1'] }]);
    expect(states[states.length - 1]).toBe('live');
  });

  it('starts the delays over once a server said hello', () => {
    const { factory, live } = setup();
    live.start();
    factory.last.drop();
    vi.advanceTimersByTime(250);
    factory.last.drop();
    vi.advanceTimersByTime(500);
    factory.last.accept();
    factory.last.drop();
    const before = factory.sockets.length;
    vi.advanceTimersByTime(250);
    expect(factory.sockets.length).toBe(before + 1);
  });

  it('drops malformed messages and reports them, keeping the connection', () => {
    const { factory, messages, rejected, live } = setup();
    live.start();
    factory.last.accept();
    factory.last.receive('{"type": "frame"}');
    factory.last.receive('not json');
    const will = { device_ts: null, received_ts: 1_800_000_000_000, pending: null, dropped: null };
    factory.last.receive({ type: 'status', device: 'sim-1', online: false, boot: 'b', ...will });
    expect(rejected.map((e) => e.reason)).toEqual(['missing_field', 'malformed_json']);
    expect(messages.map((m) => m.type)).toEqual(['hello', 'status']);
    expect(factory.last.closedByClient).toBe(false);
  });

  it('reports a server that speaks another protocol version', () => {
    const { factory, rejected, live } = setup();
    live.start();
    factory.last.onopen?.(new Event('open'));
    factory.last.receive({ type: 'hello', protocol: PROTOCOL + 1 });
    expect(rejected.map((e) => e.field)).toEqual(['protocol']);
  });

  it('stops for good: closes the socket and cancels the pending reconnect', () => {
    const { factory, live } = setup();
    live.start();
    factory.last.accept();
    factory.last.drop();
    live.stop();
    vi.advanceTimersByTime(60_000);
    expect(factory.sockets).toHaveLength(1);

    live.start();
    factory.last.accept();
    live.stop();
    expect(factory.last.closedByClient).toBe(true);
    expect(factory.sockets).toHaveLength(2);
  });

  it('does not reconnect after the server refused it as not signed in (4401), until started again', () => {
    const { factory, states, refusals, live } = setup();
    live.want('app', ['sim-1']);
    live.start();
    factory.last.onopen?.(new Event('open')); // the handshake is accepted, then closed without a hello
    factory.last.closeWith(WS_CLOSE_NOT_AUTHENTICATED, 'no_credentials');
    vi.advanceTimersByTime(10 * 60_000);
    expect(factory.sockets).toHaveLength(1);
    expect(refusals).toEqual([{ code: 'not_authenticated', reason: 'no_credentials' }]);
    expect(states).toEqual(['connecting', 'refused']);

    live.start(); // after a new login
    factory.last.accept();
    expect(factory.sockets).toHaveLength(2);
    expect(factory.last.sent).toEqual([{ type: 'subscribe', devices: ['sim-1'] }]);
    expect(states[states.length - 1]).toBe('live');
  });

  it('does not reconnect after a refusal of the role (4403)', () => {
    const { factory, states, refusals, live } = setup();
    live.start();
    factory.last.closeWith(WS_CLOSE_FORBIDDEN, 'permission_denied');
    vi.advanceTimersByTime(10 * 60_000);
    expect(factory.sockets).toHaveLength(1);
    expect(refusals).toEqual([{ code: 'forbidden', reason: 'permission_denied' }]);
    expect(states).toEqual(['connecting', 'refused']);
  });

  it('reconnects after any other close code', () => {
    const { factory, refusals, live } = setup();
    live.start();
    factory.last.accept();
    factory.last.closeWith(1011, 'server error');
    vi.advanceTimersToNextTimer();
    expect(factory.sockets).toHaveLength(2);
    expect(refusals).toEqual([]);
  });

  it('tells no more events to a listener that another listener removed during the same event', () => {
    const { factory, live } = setup();
    const heard: string[] = [];
    let second: (() => void) | null = null;
    live.listen((event) => {
      if (event.kind === 'refused') {
        second?.();
      }
    });
    second = live.listen((event) => heard.push(event.kind));
    live.start();
    factory.last.closeWith(WS_CLOSE_NOT_AUTHENTICATED, 'no_credentials');
    expect(heard).toEqual(['state']);
  });
});
