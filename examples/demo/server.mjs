// A minimal Express app protected by Hallpass through Clerk's own
// @clerk/express, unchanged. Only the environment points it at Hallpass:
//
//   CLERK_PUBLISHABLE_KEY  pk_test_… (printed by `hallpass serve`)
//   CLERK_SECRET_KEY       sk_test_… (printed once, on the first start)
//   CLERK_API_URL          the Backend API origin, e.g. http://127.0.0.1:7711
//   CLERK_PROXY_URL        the Frontend API origin, e.g. http://127.0.0.1:7710
//                          (so the handshake redirect uses plain http)
//   PORT                   default 3000; 0 picks a free port
//
// Pages: / (public), /sign-in (ticket sign-in, public/auth.js), /protected
// (session and user id from getAuth, the username from the Backend API),
// sign-out from /protected.
import express from 'express';
import { clerkClient, clerkMiddleware, getAuth } from '@clerk/express';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

for (const name of ['CLERK_PUBLISHABLE_KEY', 'CLERK_SECRET_KEY', 'CLERK_API_URL', 'CLERK_PROXY_URL']) {
  if (!process.env[name]) {
    console.error(`demo: ${name} is not set (see examples/demo/README.md, or run examples/demo/run.sh)`);
    process.exit(2);
  }
}
const publishableKey = process.env.CLERK_PUBLISHABLE_KEY;
const frontendApi = process.env.CLERK_PROXY_URL.replace(/\/+$/, '');

const app = express();
app.disable('x-powered-by');
app.use('/static', express.static(join(dirname(fileURLToPath(import.meta.url)), 'public')));
app.use(express.json());
// Every request below is authenticated by the SDK: verified offline with the
// JWKS, or sent through Hallpass's handshake when the token is stale.
app.use(clerkMiddleware());

const escape = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function page(title, body) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(title)} · Hallpass demo</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}dt{font-weight:bold}dd{font-family:monospace;margin:0 0 .5rem}</style>
</head>
<body data-frontend-api="${escape(frontendApi)}" data-publishable-key="${escape(publishableKey)}">
<nav><a href="/">Home</a> · <a href="/sign-in">Sign in</a> · <a href="/protected">Protected page</a></nav>
<h1>${escape(title)}</h1>
${body}
<script src="/static/auth.js"></script>
</body>
</html>
`;
}

app.get('/', (req, res) => {
  const { userId } = getAuth(req);
  res.send(
    page(
      'Hallpass demo',
      `<p>An Express app using <code>@clerk/express</code>, unchanged, against Hallpass.</p>
<p id="state">${userId ? `Signed in as <b>${escape(userId)}</b>.` : 'Signed out.'}</p>`,
    ),
  );
});

app.get('/sign-in', (req, res) => {
  res.send(
    page(
      'Sign in',
      `<p>Hallpass keeps sessions, not passwords: this form stands in for your own login check.
Its server route asks the Backend API for a sign-in ticket; the browser exchanges it at the Frontend API.</p>
<form id="sign-in">
<label>Username <input name="username" value="demo" required pattern="[a-z0-9_\\-]+"></label>
<button type="submit">Sign in</button>
</form>
<p id="error" role="alert"></p>`,
    ),
  );
});

// Stands in for the app's own login: whoever posts a username is signed in
// as that user (created through the Backend API the first time). A real app
// authenticates the user first.
app.post('/sign-in/ticket', async (req, res, next) => {
  const username = req.body?.username;
  if (typeof username !== 'string' || !/^[a-z0-9_-]{4,64}$/.test(username)) {
    res.status(400).json({ error: 'username: 4 to 64 of a-z, 0-9, _ and -' });
    return;
  }
  try {
    const found = await clerkClient.users.getUserList({ username: [username] });
    const user = found.data[0] ?? (await clerkClient.users.createUser({ username }));
    const ticket = await clerkClient.signInTokens.createSignInToken({ userId: user.id, expiresInSeconds: 60 });
    res.set('cache-control', 'no-store').json({ ticket: ticket.token });
  } catch (e) {
    next(e);
  }
});

app.get('/protected', async (req, res, next) => {
  const { sessionId, userId } = getAuth(req);
  if (!userId) {
    res.redirect('/sign-in');
    return;
  }
  // The user's profile, from the Backend API (`GET /v1/users/{id}`).
  let user;
  try {
    user = await clerkClient.users.getUser(userId);
  } catch (e) {
    next(e);
    return;
  }
  res.set('cache-control', 'no-store').send(
    page(
      'Protected page',
      `<dl>
<dt>Session id</dt><dd id="session-id">${escape(sessionId)}</dd>
<dt>User id</dt><dd id="user-id">${escape(userId)}</dd>
<dt>Username</dt><dd id="username">${escape(user.username ?? '')}</dd>
</dl>
<button id="sign-out">Sign out</button>
<p id="error" role="alert"></p>`,
    ),
  );
});

// Served on loopback and opened as `localhost`: the app's cookies and the
// Frontend API's (on 127.0.0.1) live on different hosts, as in production
// (cookies ignore ports).
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`Demo app: http://localhost:${server.address().port}`);
});
server.on('error', (e) => {
  console.error(`demo: cannot listen: ${e.message}`);
  process.exit(1);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
