// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { SessionState } from '../model/session';
import { LoginPage } from './LoginPage';

type SignedOut = Extract<SessionState, { phase: 'signed-out' }>;

const FRESH: SignedOut = { phase: 'signed-out', reason: 'start', submitting: false, problem: null };

afterEach(() => {
  cleanup();
});

function field(testId: string): HTMLInputElement {
  const element = screen.getByTestId(testId);
  if (!(element instanceof HTMLInputElement)) {
    throw new Error(`${testId} is not an input`);
  }
  return element;
}

function type(testId: string, value: string): void {
  fireEvent.change(field(testId), { target: { value } });
}

describe('LoginPage', () => {
  it('sends the user name (trimmed) and the password as typed', () => {
    const onLogin = vi.fn();
    render(<LoginPage session={FRESH} onLogin={onLogin} />);
    expect(screen.queryByTestId('login-message')).toBeNull();
    expect(field('login-password').type).toBe('password');
    expect(field('login-username').autocomplete).toBe('username');
    expect(field('login-password').autocomplete).toBe('current-password');
    type('login-username', ' vera ');
    type('login-password', ' pass phrase ');
    fireEvent.click(screen.getByTestId('login-submit'));
    expect(onLogin).toHaveBeenCalledWith('vera', ' pass phrase ');
  });

  it('cannot be sent twice while an attempt is under way', () => {
    render(<LoginPage session={{ ...FRESH, submitting: true }} onLogin={vi.fn()} />);
    const submit = screen.getByTestId('login-submit');
    expect(submit).toHaveProperty('disabled', true);
    expect(submit.textContent).toBe('Logging in…');
  });

  it('says "wrong user name or password" as an alert, keeps the name and empties the password', () => {
    const { rerender } = render(<LoginPage session={{ ...FRESH, submitting: true }} onLogin={vi.fn()} />);
    type('login-username', 'vera');
    type('login-password', 'wrong');
    rerender(<LoginPage session={{ ...FRESH, problem: { kind: 'bad-credentials' } }} onLogin={vi.fn()} />);
    expect(screen.getByRole('alert').textContent).toBe('Wrong user name or password.');
    expect(field('login-username').value).toBe('vera');
    expect(field('login-password').value).toBe('');
  });

  it('says how long to wait after too many attempts', () => {
    render(<LoginPage session={{ ...FRESH, problem: { kind: 'throttled', retryAfterS: 16 } }} onLogin={vi.fn()} />);
    expect(screen.getByRole('alert').textContent).toBe('Too many attempts, try again in 16 s.');
  });

  it('says the session ended, or that the user logged out', () => {
    const { rerender } = render(<LoginPage session={{ ...FRESH, reason: 'expired' }} onLogin={vi.fn()} />);
    expect(screen.getByRole('alert').textContent).toBe('Your session has ended: log in again.');
    rerender(<LoginPage session={{ ...FRESH, reason: 'logged-out' }} onLogin={vi.fn()} />);
    expect(screen.getByRole('status').textContent).toBe('You have logged out.');
  });
});
