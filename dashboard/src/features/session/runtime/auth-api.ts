/**
 * The session's REST calls under `/api/v1/auth` (docs/api.md, "Accounts"): who is signed
 * in, log in, log out. Both POSTs first read a fresh CSRF token (`GET /csrf`, which also sets
 * the `csrftoken` cookie) and send it as `X-CSRFToken`: the token changes at every login, so
 * it is never kept.
 */
import { callApi, decodeAnswer } from '@/lib/api';
import { type CurrentUser, decodeCsrfToken, decodeCurrentUser, type LoginRequest } from '@/lib/contract';

/** The calls the session runtime makes; each rejects with an `ApiError`. */
export interface AuthApi {
  /** `GET /me`: the signed-in user (401 when nobody is). */
  me(signal?: AbortSignal): Promise<CurrentUser>;
  /** `POST /login`: the user; 401 `bad_credentials`, 429 with `Retry-After`. */
  login(request: LoginRequest): Promise<CurrentUser>;
  /** `POST /logout`: the session ended. */
  logout(): Promise<void>;
}

/** Where the API is and the `fetch` to reach it with. */
export interface AuthApiOptions {
  /** Path or URL of the API root, without a trailing slash, e.g. `/api/v1`. */
  readonly baseUrl: string;
  readonly fetch: typeof fetch;
}

const JSON_HEADERS = { Accept: 'application/json' };

/** Create the session's REST client. */
export function createAuthApi(options: AuthApiOptions): AuthApi {
  const base = `${options.baseUrl}/auth`;
  // Call through the object so a browser's `fetch` keeps its `window` binding.
  const http = { fetch: options.fetch };

  async function csrfToken(): Promise<string> {
    const url = `${base}/csrf`;
    return decodeAnswer(url, await callApi(http, url, { headers: JSON_HEADERS }), decodeCsrfToken).csrfToken;
  }

  async function post(url: string, body: string | null): Promise<{ readonly status: number; readonly text: string }> {
    const token = await csrfToken();
    return callApi(http, url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'Content-Type': 'application/json', 'X-CSRFToken': token },
      ...(body === null ? {} : { body }),
    });
  }

  return {
    async me(signal) {
      const url = `${base}/me`;
      const answer = await callApi(http, url, { headers: JSON_HEADERS, ...(signal === undefined ? {} : { signal }) });
      return decodeAnswer(url, answer, decodeCurrentUser);
    },
    async login(request) {
      const url = `${base}/login`;
      const answer = await post(url, JSON.stringify({ username: request.username, password: request.password }));
      return decodeAnswer(url, answer, decodeCurrentUser);
    },
    async logout() {
      await post(`${base}/logout`, null);
    },
  };
}
