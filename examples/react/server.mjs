// The React example's server: the built single-page app (dist/, `vite
// build`), its API on Clerk's @clerk/express, unchanged, and /__clerk
// forwarded to Hallpass's Frontend API (the app's `proxyUrl`: clerk-js, its
// scripts and its cookies then live on the app's own origin). Only the
// environment points it at Hallpass:
//
//   CLERK_PUBLISHABLE_KEY  pk_test_… / pk_live_… (printed by `hallpass serve`)
//   CLERK_SECRET_KEY       sk_test_… / sk_live_… (printed once, on the first start)
//   CLERK_API_URL          the Backend API origin, e.g. http://127.0.0.1:7711
//   HALLPASS_FRONTEND_API  the Frontend API origin, e.g. http://127.0.0.1:7710
//   PORT                   default 3000; 0 picks a free port
import express from 'express';
import { clerkClient, clerkMiddleware, getAuth, requireAuth } from '@clerk/express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

for (const name of ['CLERK_PUBLISHABLE_KEY', 'CLERK_SECRET_KEY', 'CLERK_API_URL', 'HALLPASS_FRONTEND_API']) {
  if (!process.env[name]) {
    console.error(`example: ${name} is not set (see examples/react/README.md, or run examples/react/run.sh)`);
    process.exit(2);
  }
}
const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
if (!existsSync(join(dist, 'index.html'))) {
  console.error('example: dist/ is missing: run `npm run build` first (run.sh does)');
  process.exit(2);
}
const publishableKey = process.env.CLERK_PUBLISHABLE_KEY;

const escape = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const app = express();
app.disable('x-powered-by');

// clerk-js, Clerk's prebuilt components and every Frontend API call, on
// the app's origin (before any body parser: the bodies are forwarded as
// they came).
app.use(
  '/__clerk',
  createProxyMiddleware({ target: process.env.HALLPASS_FRONTEND_API, changeOrigin: true, xfwd: true }),
);

app.get('/config.js', (req, res) => {
  res
    .type('text/javascript')
    .set('cache-control', 'no-store')
    .send(`window.__HALLPASS_EXAMPLE__ = ${JSON.stringify({ publishableKey })};\n`);
});

const api = express.Router();
api.use(express.json());
// Every API request is authenticated by the SDK from its session token,
// verified offline with the instance's JWKS.
api.use(clerkMiddleware());

// Stands in for the app's own login: whoever posts a username is signed in
// as that user, created through the Backend API the first time with a
// membership in the "Analytical Engines" organization. A real app checks a
// password (or anything else) first.
api.post('/ticket', async (req, res, next) => {
  const username = req.body?.username;
  if (typeof username !== 'string' || !/^[a-z0-9_-]{4,64}$/.test(username)) {
    res.status(400).json({ error: 'username: 4 to 64 of a-z, 0-9, _ and -' });
    return;
  }
  try {
    const found = await clerkClient.users.getUserList({ username: [username] });
    let user = found.data[0];
    if (!user) {
      user = await clerkClient.users.createUser({ username, firstName: username, lastName: 'Example' });
      const orgs = await clerkClient.organizations.getOrganizationList({ query: 'engines' });
      const org =
        orgs.data.find((o) => o.slug === 'engines') ??
        (await clerkClient.organizations.createOrganization({ name: 'Analytical Engines', slug: 'engines' }));
      await clerkClient.organizations.createOrganizationMembership({
        organizationId: org.id,
        userId: user.id,
        role: 'org:admin',
      });
    }
    const ticket = await clerkClient.signInTokens.createSignInToken({ userId: user.id, expiresInSeconds: 60 });
    res.set('cache-control', 'no-store').json({ ticket: ticket.token });
  } catch (e) {
    next(e);
  }
});

// Who the request is, from its token alone: requireAuth() turns signed-out
// requests away (to the sign-in page), getAuth() reads the session.
api.get('/me', requireAuth({ signInUrl: '/sign-in' }), (req, res) => {
  const { userId, sessionId, orgId, orgRole, orgSlug } = getAuth(req);
  res.set('cache-control', 'no-store').json({ userId, sessionId, orgId: orgId ?? null, orgRole: orgRole ?? null, orgSlug: orgSlug ?? null });
});
app.use('/api', api);

// A page rendered on the server from the session cookies alone (no
// clerk-js on it): clerkMiddleware() verifies `__session` offline, and when
// the token is stale (or, on a development instance, the browser has no
// dev browser yet) sends the browser through Hallpass's handshake, here on
// the same /__clerk path clerk-js uses, and back with fresh cookies.
app.get('/account', clerkMiddleware({ proxyUrl: '/__clerk' }), async (req, res, next) => {
  const { sessionId, userId } = getAuth(req);
  if (!userId) {
    res.redirect('/sign-in');
    return;
  }
  let user;
  try {
    user = await clerkClient.users.getUser(userId);
  } catch (e) {
    next(e);
    return;
  }
  res.set('cache-control', 'no-store').type('html').send(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Account · Hallpass React example</title></head>
<body>
<main>
<h1>Account (rendered on the server)</h1>
<dl>
<dt>Session</dt><dd id="session-id">${escape(sessionId)}</dd>
<dt>User</dt><dd id="user-id">${escape(userId)}</dd>
<dt>Username</dt><dd id="username">${escape(user.username ?? '')}</dd>
</dl>
<p><a href="/">Back to the app</a></p>
</main>
</body>
</html>
`);
});

app.use(express.static(dist, { index: false }));
// The single-page app answers every other page.
app.get(/.*/, (req, res) => res.sendFile(join(dist, 'index.html')));

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`React example: http://localhost:${server.address().port}`);
});
server.on('error', (e) => {
  console.error(`example: cannot listen: ${e.message}`);
  process.exit(1);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.closeAllConnections?.();
    server.close(() => process.exit(0));
  });
}
