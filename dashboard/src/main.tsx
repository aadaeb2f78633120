/** Entry point: check the environment, then start the dashboard (or say what is wrong). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from '@/app/App';
import { Telemetry } from '@/app/telemetry';
import { createApiClient } from '@/lib/api';
import { browserFacts, readEnv } from '@/lib/env';

import './styles.css';

const root = document.getElementById('root');
if (root === null) {
  throw new Error('index.html lacks the #root element');
}

const result = readEnv(browserFacts());
if (result.ok) {
  const telemetry = new Telemetry({
    api: createApiClient({ baseUrl: result.env.apiBaseUrl, fetch: window.fetch.bind(window) }),
    liveUrl: result.env.liveUrl,
    schedule: (callback) => {
      requestAnimationFrame(callback);
    },
    now: () => Date.now(),
  });
  createRoot(root).render(
    <StrictMode>
      <App telemetry={telemetry} />
    </StrictMode>,
  );
} else {
  createRoot(root).render(
    <div className="app">
      <h1>sensebridge</h1>
      <p>The dashboard cannot start:</p>
      <ul>
        {result.problems.map((problem) => (
          <li key={problem}>{problem}</li>
        ))}
      </ul>
    </div>,
  );
}
