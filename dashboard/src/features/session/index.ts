/** Public surface of the session feature: the app imports from here only. */
export { LoginPage } from './components/LoginPage';
export { UserMenu } from './components/UserMenu';
export { can, type SessionState } from './model/session';
export { type AuthApi, createAuthApi } from './runtime/auth-api';
export { SessionContext, useCan, useCurrentUser, useSession, useSessionActions } from './runtime/hooks';
export { SessionRuntime, type SessionRuntimeOptions } from './runtime/session-runtime';
