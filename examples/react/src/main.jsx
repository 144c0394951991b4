// A React single-page app on Clerk's React SDK, unchanged, against Hallpass.
// The only Hallpass-specific values are the publishable key (printed by
// `hallpass serve`) and `proxyUrl`: the app's server forwards /__clerk to
// Hallpass's Frontend API, which also serves clerk-js and Clerk's prebuilt
// components (scripts/install-clerk-js.sh).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ClerkProvider } from '@clerk/react';
import { App } from './App.jsx';

const { publishableKey } = window.__HALLPASS_EXAMPLE__;

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <ClerkProvider
      publishableKey={publishableKey}
      proxyUrl="/__clerk"
      telemetry={false}
      signInUrl="/sign-in"
      afterSignOutUrl="/"
    >
      <App />
    </ClerkProvider>
  </StrictMode>,
);
