// A small OpenID Connect provider for the server's SSO tests, with no dependencies: discovery, a
// JWKS with a real RSA key, an authorization endpoint that signs the configured user in at once,
// and a token endpoint that checks the client secret, the code (once) and PKCE (S256), then signs
// an RS256 ID token. The test sets the user and how the next ID token is made wrong through
// POST /control, because a complete provider (the `oidc-provider` package, used by the portal's
// browser test) cannot be made to sign a bad token:
//   ok         a valid token
//   forged     signed with a key the JWKS does not publish (same kid)
//   expired    exp an hour ago
//   wrong_aud  aud another client
//   no_nonce   without the nonce claim
//   wrong_iss  iss another issuer
// Prints `listening <port>` when it is ready. CLIENT_ID and CLIENT_SECRET come from the environment.
import { createServer } from 'node:http';
import { createHash, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';

const clientId = process.env.CLIENT_ID ?? 'patronus';
const clientSecret = process.env.CLIENT_SECRET ?? 'secret';
const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
const forger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = 'test-key-1';
const jwk = { ...key.publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };

let user = { sub: 'user-1', email: 'ann@example.com', email_verified: true, name: 'Ann', groups: [] };
let mode = 'ok';
const codes = new Map();
let issuer = '';

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function sign(claims, privateKey) {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const payload = b64url(JSON.stringify(claims));
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${b64url(signer.sign(privateKey))}`;
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function body(req) {
  let data = '';
  for await (const chunk of req) data += chunk;
  return data;
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
    return json(res, 200, {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'profile', 'groups'],
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
      code_challenge_methods_supported: ['S256'],
    });
  }
  if (req.method === 'GET' && url.pathname === '/jwks') {
    return json(res, 200, { keys: [jwk] });
  }
  if (req.method === 'GET' && url.pathname === '/authorize') {
    const p = url.searchParams;
    if (p.get('client_id') !== clientId || p.get('response_type') !== 'code') {
      return json(res, 400, { error: 'invalid_request', error_description: 'unknown client or response type' });
    }
    if (!p.get('code_challenge') || p.get('code_challenge_method') !== 'S256' || !p.get('nonce') || !p.get('state')) {
      return json(res, 400, { error: 'invalid_request', error_description: 'PKCE (S256), nonce and state are required' });
    }
    const code = b64url(randomBytes(24));
    codes.set(code, {
      nonce: p.get('nonce'),
      challenge: p.get('code_challenge'),
      redirectUri: p.get('redirect_uri'),
      scope: p.get('scope') ?? '',
      user: { ...user },
    });
    const back = new URL(p.get('redirect_uri'));
    back.searchParams.set('code', code);
    back.searchParams.set('state', p.get('state'));
    back.searchParams.set('iss', issuer);
    res.writeHead(302, { location: back.toString() });
    return res.end();
  }
  if (req.method === 'POST' && url.pathname === '/token') {
    const form = new URLSearchParams(await body(req));
    const basic = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
    const [id, secret] = basic.split(':').map(decodeURIComponent);
    if (id !== clientId || secret !== clientSecret) {
      return json(res, 401, { error: 'invalid_client' });
    }
    const grant = codes.get(form.get('code'));
    codes.delete(form.get('code'));
    if (!grant || form.get('grant_type') !== 'authorization_code' || form.get('redirect_uri') !== grant.redirectUri) {
      return json(res, 400, { error: 'invalid_grant', error_description: 'unknown or used code' });
    }
    const challenge = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
    if (challenge !== grant.challenge) {
      return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
    }
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: mode === 'wrong_iss' ? 'http://127.0.0.1:1/other' : issuer,
      sub: grant.user.sub,
      aud: mode === 'wrong_aud' ? 'another-client' : clientId,
      iat: mode === 'expired' ? now - 7200 : now,
      exp: mode === 'expired' ? now - 3600 : now + 300,
      nonce: grant.nonce,
      email: grant.user.email,
      email_verified: grant.user.email_verified,
      name: grant.user.name,
      groups: grant.user.groups,
    };
    if (mode === 'no_nonce') delete claims.nonce;
    const idToken = sign(claims, mode === 'forged' ? forger.privateKey : key.privateKey);
    return json(res, 200, { access_token: b64url(randomBytes(24)), token_type: 'Bearer', expires_in: 300, id_token: idToken });
  }
  if (req.method === 'POST' && url.pathname === '/control') {
    const c = JSON.parse(await body(req));
    if (c.user) user = { ...user, ...c.user };
    if (c.mode) mode = c.mode;
    return json(res, 200, { user, mode });
  }
  json(res, 404, { error: 'not_found' });
});

server.listen(0, '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
