// A wallet against the plugin on loopback, then DCC's verifier-core on what it received.
//
//   node wallet.mjs <plan.json>
//
// plan: {mode: "oid4vci" | "lcw", link, txCode, format, server, rewrite: {prefix: loopbackPrefix},
//        files: {url: path}, registry: url}
// mode "oid4vci": @openid4vc/openid4vci (the wallet side of Credo-based wallets) runs the whole
//   pre-authorized flow: offer by reference, issuer + authorization server metadata, token with
//   tx_code, nonce, proof JWT (did:key, EdDSA), credential.
// mode "lcw": the Learner Credential Wallet's steps (app/lib/exchanges.ts): POST {} to the VC-API
//   exchange of the deep link, then a DIDAuth presentation signed with Ed25519Signature2020 by DCC's vc.
// Network: globalThis.fetch is replaced before anything runs. Only the loopback server, URLs the
// plan rewrites onto it, and the plan's local files are answered; any other URL is refused and
// reported, so the test fails instead of leaving the machine.
import { readFileSync } from 'node:fs';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const realFetch = globalThis.fetch;
const refused = [];
const served = [];

function urlOf(input) {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

globalThis.fetch = async (input, init) => {
  let url = urlOf(input);
  for (const [prefix, target] of Object.entries(plan.rewrite)) {
    if (url.startsWith(prefix)) url = target + url.slice(prefix.length);
  }
  if (url.startsWith(plan.server)) {
    if (input instanceof Request) return realFetch(new Request(url, input), init);
    return realFetch(url, init);
  }
  if (url in plan.files) {
    served.push(url);
    return new Response(readFileSync(plan.files[url]), { status: 200, headers: { 'content-type': 'application/json' } });
  }
  refused.push(url);
  throw new Error(`offline test: refused to fetch ${url}`);
};

const b64url = (data) => Buffer.from(data).toString('base64url');

async function oid4vci() {
  const { Openid4vciClient } = await import('@openid4vc/openid4vci');
  const { setGlobalConfig, clientAuthenticationAnonymous } = await import('@openid4vc/oauth2');
  setGlobalConfig({ allowInsecureUrls: true }); // the loopback server speaks http
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  // did:key of the Ed25519 key: multicodec 0xed01 + raw key, base58btc
  const raw = Buffer.from(jwk.x, 'base64url');
  const didKey = 'did:key:z' + base58(Buffer.concat([Buffer.from([0xed, 0x01]), raw]));
  const client = new Openid4vciClient({
    callbacks: {
      fetch: globalThis.fetch,
      hash: (data, alg) => new Uint8Array(createHash(alg.replace('-', '').toLowerCase()).update(data).digest()),
      generateRandom: (n) => new Uint8Array(randomBytes(n)),
      clientAuthentication: clientAuthenticationAnonymous(),
      signJwt: async (signer, { header, payload }) => {
        const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
        return { jwt: `${input}.${b64url(sign(null, Buffer.from(input), privateKey))}`, signerJwk: jwk };
      },
    },
  });
  const credentialOffer = await client.resolveCredentialOffer(plan.link);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const configurationId = credentialOffer.credential_configuration_ids.find(
    (id) => issuerMetadata.credentialIssuer.credential_configurations_supported[id].format === plan.format);
  const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer, issuerMetadata, txCode: plan.txCode,
  });
  const { c_nonce: nonce } = await client.requestNonce({ issuerMetadata });
  const { jwt } = await client.createCredentialRequestJwtProof({
    issuerMetadata, credentialConfigurationId: configurationId, nonce,
    signer: { method: 'did', didUrl: `${didKey}#${didKey.slice('did:key:'.length)}`, alg: 'EdDSA' },
  });
  const response = await client.retrieveCredentials({
    issuerMetadata, credentialConfigurationId: configurationId, accessToken: accessTokenResponse.access_token,
    proofs: { jwt: [jwt] },
  });
  const credential = response.credentialResponse.credentials[0].credential;
  return { holder: didKey, credential, versions: issuerMetadata.originalDraftVersion };
}

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58(bytes) { // the Bitcoin alphabet, for the did:key above
  let n = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));
  let out = '';
  while (n > 0n) { out = ALPHABET[Number(n % 58n)] + out; n /= 58n; }
  for (const b of bytes) { if (b !== 0) break; out = '1' + out; }
  return out;
}

async function lcw() {
  const vc = await import('@digitalcredentials/vc');
  const { Ed25519Signature2020 } = await import('@digitalcredentials/ed25519-signature-2020');
  const { Ed25519VerificationKey2020 } = await import('@digitalcredentials/ed25519-verification-key-2020');
  const { securityLoader } = await import('@digitalcredentials/security-document-loader');
  const request = JSON.parse(new URL(plan.link).searchParams.get('request'));
  const exchange = request.protocols.vcapi;
  const post = async (body) => {
    const res = await globalThis.fetch(exchange, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`exchange answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const { verifiablePresentationRequest: vpr } = await post({});
  const key = await Ed25519VerificationKey2020.generate();
  const holder = `did:key:${key.fingerprint()}`;
  key.controller = holder;
  key.id = `${holder}#${key.fingerprint()}`;
  const presentation = vc.createPresentation({ holder });
  const signed = await vc.signPresentation({
    presentation, challenge: vpr.challenge, domain: vpr.domain,
    suite: new Ed25519Signature2020({ key }), documentLoader: securityLoader().build(),
  });
  const answer = await post({ verifiablePresentation: signed });
  return { holder, credential: answer.verifiablePresentation.verifiableCredential[0], query: vpr.query };
}

let result;
try {
  const received = plan.mode === 'lcw' ? await lcw() : await oid4vci();
  const { verifyCredential } = await import('@digitalcredentials/verifier-core');
  const knownDIDRegistries = [{ name: 'microVET test registry', type: 'dcc-legacy', url: plan.registry }];
  const ldp = typeof received.credential === 'string' ? null : received.credential;
  const verification = ldp ? await verifyCredential({ credential: ldp, knownDIDRegistries }) : null;
  result = { ok: true, ...received, verification, served, refused };
} catch (error) {
  result = { ok: false, error: String(error?.stack ?? error), cause: String(error?.cause ?? ''), served, refused };
}
process.stdout.write(JSON.stringify(result) + '\n');
process.exitCode = result.ok && refused.length === 0 ? 0 : 1;
