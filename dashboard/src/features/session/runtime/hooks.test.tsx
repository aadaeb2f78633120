// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Action } from '@/lib/contract';
import { LiveSocket } from '@/lib/live-socket';
import { socketFactory } from '@/test/fake-socket';
import { json, mockFetch } from '@/test/mock-fetch';

import { createAuthApi } from './auth-api';
import { SessionContext, useCan } from './hooks';
import { SessionRuntime } from './session-runtime';

let network = mockFetch();

beforeEach(() => {
  network = mockFetch();
});

afterEach(() => {
  cleanup();
  network.verify();
});

function Control({ action }: { readonly action: Action }) {
  return useCan(action) ? <button type="button">{action}</button> : null;
}

async function signedInAs(actions: readonly Action[], role = 'admin') {
  network.get('/api/v1/auth/me', () => json({ username: 'someone', role, actions }));
  const sockets = socketFactory();
  const session = new SessionRuntime({
    api: createAuthApi({ baseUrl: '/api/v1', fetch: network.fetch }),
    feed: new LiveSocket({ url: 'ws://dashboard.test/ws/live/', createSocket: sockets.create }),
  });
  render(
    <SessionContext value={session}>
      <Control action="manage_users" />
      <Control action="send_command" />
      <Control action="read" />
    </SessionContext>,
  );
  expect(screen.queryAllByRole('button')).toEqual([]); // nobody is signed in yet
  session.start();
  await act(async () => {
    await vi.waitFor(() => {
      expect(session.store.getSnapshot().phase).toBe('signed-in');
    });
  });
  return session;
}

function shown(): string[] {
  return screen.queryAllByRole('button').map((b) => b.textContent);
}

describe('useCan', () => {
  it("renders a control only when the signed-in user's actions include it", async () => {
    await signedInAs(['read', 'send_command']);
    expect(shown()).toEqual(['send_command', 'read']);
  });

  it('goes by the actions, not by the role name', async () => {
    await signedInAs(['read'], 'admin');
    expect(shown()).toEqual(['read']);
  });

  it('hides every control once the session ends', async () => {
    const session = await signedInAs(['read', 'manage_users']);
    expect(shown()).toEqual(['manage_users', 'read']);
    const guarded = session.guard(network.fetch);
    network.get('/api/v1/devices', () => json({ error: { code: 'not_authenticated', field: 'session', message: 'no' } }, 401));
    await act(async () => {
      await guarded('/api/v1/devices');
    });
    expect(shown()).toEqual([]);
  });
});
