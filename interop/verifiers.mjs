/*
 * Independent verification of microVET credentials with the libraries real wallets use:
 * Digital Bazaar's @digitalbazaar/vc + DataIntegrityProof(eddsa-rdfc-2022) for Data Integrity,
 * panva's jose for VC-JWT (OB 3.0 section 8.2). Nothing here shares code with badge_issuer/.
 */
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as jose from 'jose';
import jsigs from 'jsonld-signatures';

import {didKeyDocument} from './loader.mjs';

const {purposes: {AssertionProofPurpose}} = jsigs;

/** OB 3.0: RS256 is the minimum; ES256 and EdDSA are the other algorithms we issue. */
export const JWT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];
/** OB 3.0 section 8.2.4.1: "No other headers allowed". */
const JOSE_HEADERS = new Set(['alg', 'kid', 'jwk', 'typ']);
/** Registered claims the VC 2.0-style payload adds on top of the credential. */
const JWT_CLAIMS = ['iss', 'jti', 'nbf', 'sub', 'exp', 'iat', 'aud'];

/** A readable message from a jsonld-signatures result (its errors nest). */
function resultError(result) {
  const errors = [];
  const collect = error => {
    if(!error) {
      return;
    }
    if(Array.isArray(error)) {
      error.forEach(collect);
    } else if(Array.isArray(error.errors) && error.errors.length) {
      error.errors.forEach(collect);
    } else {
      errors.push(error.message ?? String(error));
      const event = error.details?.event; // jsonld safe mode: which term or IRI was refused
      if(event) {
        errors.push(`${event.code}: ${JSON.stringify(event.details)}`);
      }
    }
    collect(error.cause); // e.g. why a status list credential did not verify
  };
  collect(result.error);
  collect(result.statusResult?.error);
  for(const entry of result.results ?? []) {
    collect(entry.error);
  }
  return [...new Set(errors)].join('; ') || 'not verified';
}

/**
 * Bitstring Status List check with Digital Bazaar's checker (the list credential is loaded through
 * the loader, so from the resolve directory, and its own proof and issuer are verified).
 * That checker only reports each bit ("status"); a set bit is what makes the credential fail here.
 */
async function checkStatus(options) {
  const result = await checkBitstringStatus(options);
  const set = (result.results ?? []).filter(entry => entry.status);
  if(!result.verified || !set.length) {
    return result;
  }
  const {statusPurpose, statusListCredential, statusListIndex} = set[0].credentialStatus;
  const state = statusPurpose === 'revocation' ? 'revoked' : statusPurpose === 'suspension' ?
    'suspended' : `flagged for ${statusPurpose}`;
  return {verified: false, error: new Error(
    `credential is ${state} (${statusListCredential} index ${statusListIndex})`)};
}

const diSuite = () => new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

/** Status check that accepts any status (--skip-status). */
const ignoreStatus = async () => ({verified: true});

/**
 * Verify the Data Integrity proof(s) of a credential, and its Bitstring Status List entry if any.
 * proofOnly=false (the default) uses CredentialIssuancePurpose: the key must be listed under
 * assertionMethod of its controller AND the controller must be the credential's issuer.
 * proofOnly=true drops the issuer binding (the W3C test vector's issuer is not its key's controller).
 */
export async function verifyDi(credential, {documentLoader, proofOnly = false, now, skipStatus = false}) {
  const suite = diSuite();
  const purpose = proofOnly ? new AssertionProofPurpose() : new vc.CredentialIssuancePurpose();
  const result = await vc.verifyCredential({
    credential, suite, purpose, documentLoader, now,
    checkStatus: skipStatus ? ignoreStatus : checkStatus
  });
  return result.verified ? null : resultError(result);
}

/** The public JWK of a verification method (publicKeyJwk, or an Ed25519 Multikey). */
async function methodJwk(vm) {
  if(vm.publicKeyJwk) {
    return vm.publicKeyJwk;
  }
  if(vm.type === 'Multikey' && vm.publicKeyMultibase?.startsWith('z6Mk')) {
    return Ed25519Multikey.toJwk({keyPair: await Ed25519Multikey.from(vm)});
  }
  return null;
}

/**
 * Where an issuer's JWK sets may be: the OB 3.0 Implementation Guide location
 * (https://{authority}/.well-known/jwks.json) and the one badge_issuer.resolve.publish() writes next to
 * the controller document (https://host/path.jwks.json, or https://host/path/jwks.json for did:web).
 */
function jwksUrls(issuerId) {
  if(issuerId.startsWith('https://')) {
    return [`https://${new URL(issuerId).host}/.well-known/jwks.json`, `${issuerId}.jwks.json`];
  }
  if(issuerId.startsWith('did:web:')) {
    const parts = issuerId.slice('did:web:'.length).split(':').map(decodeURIComponent);
    return [`https://${parts[0]}/.well-known/jwks.json`, `https://${parts.join('/')}/jwks.json`];
  }
  return [];
}

/**
 * The keys an issuer publishes for assertions: [{kid, jwk}].
 * did:key -> the key in the DID; did:web / https -> the assertionMethod entries of its DID or
 * controller document, plus the keys of its JWK sets that carry no "iss" or the issuer's id as "iss".
 */
export async function issuerKeys(issuerId, {documentLoader, index}) {
  const keys = [];
  let controller = null;
  if(issuerId.startsWith('did:key:')) {
    controller = await didKeyDocument(issuerId);
  } else if(index.documents.has(issuerId)) {
    controller = (await documentLoader(issuerId)).document;
  }
  for(const entry of [].concat(controller?.assertionMethod ?? [])) {
    const id = typeof entry === 'string' ? entry : entry.id;
    const absolute = id.startsWith('#') ? `${issuerId}${id}` : id;
    const vm = typeof entry === 'string' ?
      (controller.verificationMethod ?? []).find(m => m.id === id || m.id === absolute) ??
        (await documentLoader(absolute)).document :
      entry;
    const jwk = await methodJwk(vm);
    if(jwk) {
      keys.push({kid: absolute, jwk});
    }
  }
  for(const url of jwksUrls(issuerId)) {
    for(const jwk of index.jwks.get(url)?.keys ?? []) {
      if(jwk.iss === undefined || jwk.iss === issuerId) {
        keys.push({kid: jwk.kid, jwk});
      }
    }
  }
  return keys;
}

/** The issuer key a JOSE header points at: by kid, else by the thumbprint of its jwk. */
async function selectKey(header, keys, issuerId) {
  if(header.jwk && 'd' in header.jwk) {
    throw new Error('the "jwk" header contains a private key ("d")');
  }
  const wanted = header.jwk ? await jose.calculateJwkThumbprint(header.jwk) : null;
  for(const key of keys) {
    if(header.kid !== undefined && key.kid !== header.kid) {
      continue;
    }
    if(wanted && (await jose.calculateJwkThumbprint(key.jwk)) !== wanted) {
      if(header.kid !== undefined) {
        throw new Error(`the "jwk" header is not the key "${header.kid}" names`);
      }
      continue;
    }
    return key.jwk;
  }
  const what = header.kid !== undefined ? `kid "${header.kid}"` : 'the "jwk" header';
  throw new Error(`${what} is not a key issuer ${issuerId} publishes for assertions`);
}

const isoSeconds = numericDate => new Date(numericDate * 1000).toISOString().replace('.000Z', 'Z');

/**
 * The credential inside a VC-JWT payload: the payload minus the JWT claims (VC 2.0 style, what we
 * issue), or the "vc" claim (VC 1.1 JWT encoding), where the claims stand for the properties the
 * "vc" object may omit and are copied into it before checking.
 */
function credentialOf(payload) {
  if(!(payload.vc && typeof payload.vc === 'object')) {
    const credential = {...payload};
    for(const claim of JWT_CLAIMS) {
      delete credential[claim];
    }
    return credential;
  }
  const credential = structuredClone(payload.vc);
  const v1 = [].concat(credential['@context'] ?? [])[0] === 'https://www.w3.org/2018/credentials/v1';
  credential.id ??= payload.jti;
  credential.issuer ??= payload.iss;
  if(payload.nbf !== undefined) {
    credential[v1 ? 'issuanceDate' : 'validFrom'] ??= isoSeconds(payload.nbf);
  }
  if(payload.exp !== undefined) {
    credential[v1 ? 'expirationDate' : 'validUntil'] ??= isoSeconds(payload.exp);
  }
  const subject = credential.credentialSubject;
  if(payload.sub !== undefined && subject && !Array.isArray(subject) && typeof subject === 'object') {
    subject.id ??= payload.sub;
  }
  return credential;
}

const seconds = date => Math.floor(Date.parse(date) / 1000);

/** OB 3.0 section 8.2.4.2: the JWT claims must repeat the credential's own values. */
function checkClaims(payload, credential) {
  const issuerId = typeof credential.issuer === 'string' ? credential.issuer : credential.issuer?.id;
  const validFrom = credential.validFrom ?? credential.issuanceDate;
  const validUntil = credential.validUntil ?? credential.expirationDate;
  const subjectId = [].concat(credential.credentialSubject ?? [])[0]?.id;
  const expected = [
    ['iss', issuerId, true],
    ['jti', credential.id, credential.id !== undefined],
    ['nbf', validFrom && seconds(validFrom), validFrom !== undefined],
    ['sub', subjectId, subjectId !== undefined],
    ['exp', validUntil && seconds(validUntil), validUntil !== undefined]
  ];
  for(const [claim, value, required] of expected) {
    if(required && payload[claim] !== value) {
      throw new Error(`JWT claim "${claim}" is ${JSON.stringify(payload[claim])}, ` +
        `the credential says ${JSON.stringify(value)}`);
    }
  }
}

/**
 * Verify a VC-JWT. Returns {error, proofs}: proofs lists what was verified ("jws", and
 * "eddsa-rdfc-2022" when the payload credential also carries a Data Integrity proof).
 */
export async function verifyJwt(token, {documentLoader, index, proofOnly = false, now, skipStatus = false}) {
  const header = jose.decodeProtectedHeader(token);
  const extra = Object.keys(header).filter(name => !JOSE_HEADERS.has(name));
  if(extra.length) {
    throw new Error(`JOSE header "${extra[0]}" is not allowed (only alg, kid, jwk, typ)`);
  }
  if(header.typ !== undefined && header.typ !== 'JWT') {
    throw new Error(`JOSE header "typ" is ${JSON.stringify(header.typ)}, must be "JWT"`);
  }
  if(!JWT_ALGORITHMS.includes(header.alg)) {
    throw new Error(`JOSE header "alg" ${JSON.stringify(header.alg)} is not one of ${JWT_ALGORITHMS}`);
  }
  const claimedIssuer = jose.decodeJwt(token).iss;
  if(typeof claimedIssuer !== 'string') {
    throw new Error('JWT claim "iss" is missing');
  }
  const jwk = await selectKey(header, await issuerKeys(claimedIssuer, {documentLoader, index}), claimedIssuer);
  const {payload} = await jose.jwtVerify(token, await jose.importJWK(jwk, header.alg), {
    algorithms: [header.alg],
    currentDate: now ? new Date(now) : undefined
  });
  const credential = credentialOf(payload);
  checkClaims(payload, credential);
  vc._checkCredential({credential, now});
  const proofs = ['jws'];
  if(credential.proof) {
    const error = await verifyDi(credential, {documentLoader, proofOnly, now, skipStatus});
    if(error) {
      throw new Error(`embedded Data Integrity proof: ${error}`);
    }
    proofs.push('eddsa-rdfc-2022');
  } else if(credential.credentialStatus && !skipStatus) {
    const status = await checkStatus({credential, documentLoader, suite: diSuite()});
    if(!status.verified) {
      throw new Error(resultError(status));
    }
  }
  return proofs;
}
