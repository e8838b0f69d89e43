// A real OpenID Connect provider on loopback for panelflow's SSO tests.
//
//   node provider.mjs CONFIG.json
//
// CONFIG.json:
//   {
//     "port": 45678,                          // 0 or absent: any free port
//     "issuer": "http://127.0.0.1:45678",     // absent: http://127.0.0.1:<port>
//     "clients": [{"client_id": "panelflow", "client_secret": "...",
//                  "redirect_uris": ["http://127.0.0.1:5000/auth/callback"]}],
//     "accounts": {"alice": {"email": "alice@council.example",
//                            "email_verified": true, "name": "Alice Example"}},
//     "jwks": {"keys": [ <private RSA JWK with kid> ]},
//     "registration_token": "...",            // optional: enables dynamic client
//                                             // registration at /reg behind this
//                                             // initial access token
//     "exit_on_stdin_close": true             // optional: also stop when stdin
//   }                                         // closes (the parent died)
//
// panva's oidc-provider (OpenID Certified) with: authorization code flow only,
// PKCE (S256) required for every client, its built-in development login and
// consent pages (devInteractions: type the account id as login, any password),
// and the account's claims (email, email_verified, name) in the ID token too.
//
// Listens on 127.0.0.1 only (the socket is bound before the issuer is fixed, so
// port 0 is race-free), prints one line "READY <issuer>" to stdout once
// listening, and exits 0 on SIGTERM or SIGINT. It makes no outgoing request:
// nothing configured here (no jwks_uri clients, no request_uri, no sector
// identifiers) makes oidc-provider fetch anything.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const configPath = process.argv[2];
if (!configPath) {
  console.error('usage: node provider.mjs CONFIG.json');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const accounts = config.accounts ?? {};

const server = createServer();
try {
  server.listen(config.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
} catch (err) {
  console.error(`provider.mjs: cannot listen on 127.0.0.1:${config.port}: ${err.message}`);
  process.exit(1);
}
const issuer = config.issuer ?? `http://127.0.0.1:${server.address().port}`;

const features = {
  devInteractions: { enabled: true },
  // RP-initiated logout is on by default; keep it so the app can test sign-out.
  rpInitiatedLogout: { enabled: true },
};
if (config.registration_token) {
  features.registration = {
    enabled: true,
    initialAccessToken: config.registration_token,
  };
}

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: config.jwks,
  responseTypes: ['code'],
  scopes: ['openid', 'email', 'profile'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // Put the scope claims in the ID token as well as at the userinfo endpoint.
  conformIdTokenClaims: false,
  pkce: {
    methods: ['S256'],
    required: () => true,
  },
  features,
  cookies: {
    keys: [randomBytes(32).toString('base64url')],
  },
  async findAccount(ctx, sub) {
    if (!Object.hasOwn(accounts, sub)) {
      return undefined;
    }
    const account = accounts[sub];
    return {
      accountId: sub,
      async claims() {
        return { ...account, sub };
      },
    };
  },
  clientBasedCORS: () => false,
  // oidc-provider would otherwise print stack traces for expected client errors.
  renderError(ctx, out) {
    ctx.type = 'html';
    const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    ctx.body = `<!DOCTYPE html><title>oidc-provider error</title><h1>oops! something went wrong</h1>${
      Object.entries(out).map(([k, v]) => `<pre><strong>${esc(k)}</strong>: ${esc(v)}</pre>`).join('')}`;
  },
});

server.on('request', provider.callback());

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  // Browsers and HTTP clients keep connections alive: drop them.
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (config.exit_on_stdin_close) {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

process.stdout.write(`READY ${issuer}\n`);
