import { useState } from 'react';
import {
  OrganizationSwitcher,
  Show,
  UserButton,
  useAuth,
  useOrganization,
  useUser,
} from '@clerk/react';
import { useSignIn } from '@clerk/react/legacy';

export function App() {
  return window.location.pathname === '/sign-in' ? <SignInPage /> : <Home />;
}

function Home() {
  return (
    <main>
      <h1>Hallpass React example</h1>
      <Show when="signed-out">
        <p id="state">Signed out.</p>
        <a href="/sign-in">Sign in</a>
      </Show>
      <Show when="signed-in">
        <header style={{ display: 'flex', gap: '1rem', alignItems: 'center' }}>
          <OrganizationSwitcher hidePersonal={false} />
          <UserButton />
        </header>
        <Profile />
        <ApiCall />
        <p>
          <a href="/sign-in">Add an account</a> · <a href="/account">Account page (rendered on the server)</a>
        </p>
      </Show>
    </main>
  );
}

function Profile() {
  const { user } = useUser();
  const { organization } = useOrganization();
  const { sessionId } = useAuth();
  return (
    <dl>
      <dt>Name</dt>
      <dd id="name">{user?.fullName ?? ''}</dd>
      <dt>Session</dt>
      <dd id="session-id">{sessionId}</dd>
      <dt>Active organization</dt>
      <dd id="organization">{organization?.name ?? 'Personal account'}</dd>
    </dl>
  );
}

// The app's API, on @clerk/express: the browser sends a session token from
// useAuth().getToken() and the API reads who it is from the token alone.
function ApiCall() {
  const { getToken } = useAuth();
  const [answer, setAnswer] = useState('');
  async function call() {
    const token = await getToken();
    const res = await fetch('/api/me', { headers: { authorization: `Bearer ${token}` } });
    setAnswer(JSON.stringify(await res.json()));
  }
  return (
    <p>
      <button id="call-api" onClick={call}>
        Call the API
      </button>
      <code id="api-answer">{answer}</code>
    </p>
  );
}

// Hallpass keeps sessions, not passwords: this form stands in for the
// app's own login check. The app's server asks the Backend API for a
// sign-in ticket; the browser signs in with it through Clerk's SDK.
function SignInPage() {
  const { isLoaded, signIn, setActive } = useSignIn();
  const [error, setError] = useState('');
  async function submit(event) {
    event.preventDefault();
    setError('');
    const username = new FormData(event.currentTarget).get('username');
    try {
      const res = await fetch('/api/ticket', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
      const attempt = await signIn.create({ strategy: 'ticket', ticket: body.ticket });
      if (attempt.status !== 'complete') throw new Error(`sign-in is ${attempt.status}`);
      await setActive({ session: attempt.createdSessionId });
      window.location.assign('/');
    } catch (e) {
      setError(e.errors?.[0]?.longMessage ?? e.message);
    }
  }
  return (
    <main>
      <h1>Sign in</h1>
      <form id="sign-in" onSubmit={submit}>
        <label>
          Username <input name="username" defaultValue="ada_l" required pattern="[a-z0-9_\-]{4,64}" />
        </label>
        <button type="submit" disabled={!isLoaded}>
          Sign in
        </button>
      </form>
      <p id="error" role="alert">
        {error}
      </p>
    </main>
  );
}
