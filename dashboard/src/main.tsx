/** Entry point: check the environment, then start the dashboard (or say what is wrong). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from '@/app/App';
import { createDashboard } from '@/app/dashboard';
import { browserFacts, readEnv } from '@/lib/env';

import './styles.css';

const root = document.getElementById('root');
if (root === null) {
  throw new Error('index.html lacks the #root element');
}

const result = readEnv(browserFacts());
if (result.ok) {
  const dashboard = createDashboard({
    env: result.env,
    fetch: window.fetch.bind(window),
    schedule: (callback) => {
      requestAnimationFrame(callback);
    },
    now: () => Date.now(),
  });
  createRoot(root).render(
    <StrictMode>
      <App dashboard={dashboard} />
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
