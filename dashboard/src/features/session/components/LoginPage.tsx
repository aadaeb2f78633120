/**
 * The login page: user name, password, and what went wrong (wrong name or password, too
 * many attempts and the wait, an ended session). The password lives in this form only.
 */
import { type SyntheticEvent, useState } from 'react';

import { loginMessage, type SessionState } from '../model/session';

/** Props of {@link LoginPage}. */
export interface LoginPageProps {
  /** The session while nobody is signed in. */
  readonly session: Extract<SessionState, { phase: 'signed-out' }>;
  readonly onLogin: (username: string, password: string) => void;
}

/** The form; after a refusal the password field is emptied and the name kept. */
export function LoginPage({ session, onLogin }: LoginPageProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { problem, submitting } = session;
  const [seenProblem, setSeenProblem] = useState(problem);
  if (problem !== seenProblem) {
    setSeenProblem(problem);
    if (problem !== null) {
      setPassword('');
    }
  }
  const message = loginMessage(session);
  const isError = problem !== null || session.reason === 'expired';

  function submit(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    onLogin(username.trim(), password);
  }

  return (
    <form className="login" data-testid="login-form" aria-busy={submitting} onSubmit={submit}>
      <h2 className="section-title">Log in</h2>
      <label className="login-field">
        <span>User name</span>
        <input
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          autoFocus
          data-testid="login-username"
          value={username}
          onChange={(event) => {
            setUsername(event.target.value);
          }}
        />
      </label>
      <label className="login-field">
        <span>Password</span>
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          data-testid="login-password"
          value={password}
          onChange={(event) => {
            setPassword(event.target.value);
          }}
        />
      </label>
      {message === null ? null : (
        <p className={isError ? 'problem' : 'muted'} role={isError ? 'alert' : 'status'} data-testid="login-message">
          {message}
        </p>
      )}
      <button type="submit" className="button" data-testid="login-submit" disabled={submitting}>
        {submitting ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
}
