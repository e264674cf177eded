// A real OpenID Connect provider (panva/oidc-provider, a certified implementation) for the tests.
// Configured by the JSON in OIDC_TEST_CONFIG: { port, issuer, jwks, clients, accounts, scopes, claims }.
// accounts: login → the claims the provider asserts for it (besides sub). The tests pass the signing key, so they
// can also mint tokens with the provider's own key. The issuer may carry a path (Entra ID style: /{tenant}/v2.0);
// the endpoints are served at the root either way, and the app is told the metadata address.
import Provider from 'oidc-provider';

const cfg = JSON.parse(process.env.OIDC_TEST_CONFIG);

const configuration = {
  clients: cfg.clients.map((c) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // ASP.NET Core's handler sends the secret in the body (token and PAR endpoint).
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
    ...c,
  })),
  jwks: cfg.jwks,
  pkce: { required: () => true, methods: ['S256'] },
  scopes: cfg.scopes,
  claims: cfg.claims,
  // Put the scope's claims into the id_token (the app reads roles from it, no userinfo call).
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => {
    const a = cfg.accounts[id];
    if (!a) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...a }) };
  },
  // First-party test client: grant everything requested, no consent screen.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(cfg.scopes.join(' '));
    await grant.save();
    return grant;
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    pushedAuthorizationRequests: { enabled: true },
  },
  ttl: { AuthorizationCode: 120, IdToken: 3600, AccessToken: 3600, Session: 3600, Grant: 3600, Interaction: 600, PushedAuthorizationRequest: 60 },
  cookies: { keys: ['netzwerk-test-only-cookie-key'] },
};

const provider = new Provider(cfg.issuer, configuration);
provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.listen(cfg.port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${cfg.issuer}`);
});
