// The few steps of clerk-js this demo needs, in plain browser JavaScript,
// talking to Hallpass's Frontend API the way clerk-js does on a development
// instance (clerk-js itself needs /v1/environment, which Hallpass does not
// serve):
//
// - the development browser: `POST /v1/dev_browser` once, kept in the
//   `__clerk_db_jwt` and `__clerk_db_jwt_<suffix>` cookies on the app's host,
//   sent to the Frontend API as the `__clerk_db_jwt` query parameter, renewed
//   from a `Clerk-Db-Jwt` response header;
// - Frontend API calls: GET or POST (other methods as `?_method=`, so no CORS
//   preflight), form-encoded bodies, `credentials: 'include'`;
// - after a sign-in: `__session`(`_<suffix>`) = the session's
//   `last_active_token`, `__client_uat`(`_<suffix>`) = the client's
//   `updated_at` in seconds; after a sign-out: `__client_uat` = 0 and no
//   `__session`. The app's backend SDK reads exactly these cookies.
//
// <suffix> is Clerk's cookie suffix: the first 8 characters of the URL-safe
// base64 SHA-1 of the publishable key.
(() => {
  const { frontendApi, publishableKey } = document.body.dataset;
  const YEAR_MS = 365 * 24 * 3600 * 1000;

  let suffixPromise;
  function cookieSuffix() {
    suffixPromise ??= crypto.subtle.digest('SHA-1', new TextEncoder().encode(publishableKey)).then((digest) =>
      btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, '-').replace(/\//g, '_').slice(0, 8),
    );
    return suffixPromise;
  }

  function getCookie(name) {
    const prefix = `${name}=`;
    const found = document.cookie.split('; ').find((c) => c.startsWith(prefix));
    return found ? decodeURIComponent(found.slice(prefix.length)) : undefined;
  }

  // Sets (or, with `undefined`, removes) `name` and `name_<suffix>`.
  async function setCookies(name, value, sameSite) {
    const suffix = await cookieSuffix();
    for (const n of [`${name}_${suffix}`, name]) {
      document.cookie =
        value === undefined
          ? `${n}=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT`
          : `${n}=${encodeURIComponent(value)}; path=/; expires=${new Date(Date.now() + YEAR_MS).toUTCString()}; SameSite=${sameSite}`;
    }
  }

  async function devBrowser() {
    const existing = getCookie(`__clerk_db_jwt_${await cookieSuffix()}`) ?? getCookie('__clerk_db_jwt');
    if (existing) return existing;
    const res = await fetch(`${frontendApi}/v1/dev_browser`, { method: 'POST' });
    if (!res.ok) throw new Error(`the Frontend API refused a development browser (${res.status})`);
    const { id } = await res.json();
    await setCookies('__clerk_db_jwt', id, 'Lax');
    return id;
  }

  async function fapi(method, path, form, retried = false) {
    const url = new URL(`${frontendApi}/v1${path}`);
    url.searchParams.set('__clerk_db_jwt', await devBrowser());
    if (method !== 'GET' && method !== 'POST') url.searchParams.set('_method', method);
    const res = await fetch(url, {
      method: method === 'GET' ? 'GET' : 'POST',
      credentials: 'include',
      headers: form ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      body: form ? new URLSearchParams(form) : undefined,
    });
    const renewed = res.headers.get('Clerk-Db-Jwt');
    if (renewed) await setCookies('__clerk_db_jwt', renewed, 'Lax');
    const json = await res.json();
    const error = json.errors?.[0];
    // An unknown development browser (e.g. a fresh Hallpass store): get another once, as clerk-js does.
    if (error?.code === 'dev_browser_unauthenticated' && !retried) {
      await setCookies('__clerk_db_jwt', undefined);
      return fapi(method, path, form, true);
    }
    if (!res.ok) throw new Error(error?.long_message ?? error?.message ?? `Frontend API ${res.status}`);
    return json;
  }

  async function rememberClient(client, token) {
    const live = client?.sessions?.filter((s) => s.status === 'active') ?? [];
    if (token) await setCookies('__session', token, 'Lax');
    else await setCookies('__session', undefined);
    const uat = live.length > 0 && client.updated_at ? String(Math.floor(client.updated_at / 1000)) : '0';
    await setCookies('__client_uat', uat, 'Strict');
  }

  async function signIn(username) {
    // 1. The app's server asks the Backend API for a ticket (POST /v1/sign_in_tokens).
    const res = await fetch('/sign-in/ticket', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error ?? `ticket: ${res.status}`);
    // 2. The browser loads its client and signs in with the ticket.
    await fapi('GET', '/client');
    const { response, client } = await fapi('POST', '/client/sign_ins', { strategy: 'ticket', ticket: body.ticket });
    if (response?.status !== 'complete') throw new Error(`sign-in ended ${response?.status}`);
    const session = client.sessions.find((s) => s.id === response.created_session_id);
    // 3. The cookies the app's backend SDK reads.
    await rememberClient(client, session.last_active_token.jwt);
  }

  async function signOut() {
    const { client } = await fapi('DELETE', '/client/sessions');
    await rememberClient(client, undefined);
  }

  const form = document.getElementById('sign-in');
  form?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = document.getElementById('error');
    error.textContent = '';
    try {
      await signIn(new FormData(form).get('username'));
      location.assign('/protected');
    } catch (e) {
      error.textContent = e.message;
    }
  });

  document.getElementById('sign-out')?.addEventListener('click', async () => {
    try {
      await signOut();
      location.assign('/');
    } catch (e) {
      document.getElementById('error').textContent = e.message;
    }
  });
})();
