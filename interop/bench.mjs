#!/usr/bin/env node
/*
 * node interop/bench.mjs UNSIGNED.json KEYPAIR.json [--n N] [--jwt-payload PAYLOAD.json --kid KID]
 *
 * Signs the same unsigned credential N times and verifies the signed copy N times with Digital
 * Bazaar's libraries (eddsa-rdfc-2022, strict offline loader, full issuer/controller checks), after
 * one untimed warm-up round, and prints {"js_di_issue_ops", "js_di_verify_ops", "n", "node"}.
 * With --jwt-payload, also signs that JWT payload (the credential with its registered claims) as a
 * compact EdDSA JWS with jose, 10 N times (it is fast), with the same key: "js_jwt_sign_ops" and
 * one of the tokens, "js_jwt_sample". Rates are per second of this process's CPU time.
 * The key pair file and the output are described in README.md. Exit 1 if a signature fails to verify.
 */
import {readFileSync} from 'node:fs';
import {parseArgs} from 'node:util';

import * as vc from '@digitalbazaar/vc';
import {importJWK, SignJWT} from 'jose';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {createDocumentLoader, DID_V1, MULTIKEY_V1} from './loader.mjs';
import {verifyDi} from './verifiers.mjs';

const HEX_SEED = /^[0-9a-fA-F]{64}$/;

/** The signing key: {"seed": 64 hex} or a Multikey pair {publicKeyMultibase, secretKeyMultibase}. */
async function loadKey(keyPair, controller) {
  if(keyPair.seed !== undefined) {
    if(!HEX_SEED.test(keyPair.seed)) {
      throw new Error('keypair "seed": must be 32 bytes as 64 hex characters');
    }
    return Ed25519Multikey.generate({
      seed: Uint8Array.from(Buffer.from(keyPair.seed, 'hex')), controller, id: keyPair.id
    });
  }
  if(keyPair.publicKeyMultibase && keyPair.secretKeyMultibase) {
    const key = await Ed25519Multikey.from({
      type: 'Multikey',
      publicKeyMultibase: keyPair.publicKeyMultibase,
      secretKeyMultibase: keyPair.secretKeyMultibase,
      controller,
      id: keyPair.id ?? `${controller}#${keyPair.publicKeyMultibase}`
    });
    return key;
  }
  throw new Error('keypair: give "seed" (64 hex) or "publicKeyMultibase" and "secretKeyMultibase"');
}

/**
 * The controller document that lists the key under assertionMethod, kept in memory: the bench
 * measures signing and verification, not resolution. A did:key controller is resolved natively.
 */
async function controllerDocuments(key) {
  if(key.controller.startsWith('did:key:')) {
    if(key.controller !== `did:key:${key.publicKeyMultibase}`) {
      throw new Error(`keypair: the key is not the key of ${key.controller}`);
    }
    return [];
  }
  const method = await key.export({publicKey: true});
  return [{
    '@context': [DID_V1, MULTIKEY_V1],
    id: key.controller,
    verificationMethod: [method],
    assertionMethod: [method.id]
  }];
}

/** Compact EdDSA JWS of `payload` with jose, `n` times after one warm-up: signatures per second and one token. */
async function joseSignOps(payload, key, kid, n) {
  const {x} = await Ed25519Multikey.toJwk({keyPair: key});
  const d = Buffer.from(key.secretKey.subarray(0, 32)).toString('base64url'); // the seed, not seed || public key
  const jwk = await importJWK({kty: 'OKP', crv: 'Ed25519', x, d}, 'EdDSA');
  const header = {alg: 'EdDSA', typ: 'JWT', kid};
  const sign = () => new SignJWT(payload).setProtectedHeader(header).sign(jwk);
  const sample = await sign(); // warm-up; returned so that the caller can check it verifies
  const start = cpuMs();
  for(let i = 0; i < n; i++) {
    await sign();
  }
  return {js_jwt_sign_ops: opsPerSecond(n, cpuMs() - start), js_jwt_sample: sample};
}

/** Milliseconds of CPU time of this process (user + system): the rate on one core, whatever else runs. */
const cpuMs = () => {
  const {user, system} = process.cpuUsage();
  return (user + system) / 1000;
};

const opsPerSecond = (n, ms) => Math.round((n * 1000 / ms) * 10) / 10;

async function main() {
  const {values, positionals} = parseArgs({
    allowPositionals: true,
    options: {n: {type: 'string', default: '50'}, 'jwt-payload': {type: 'string'}, kid: {type: 'string'}}
  });
  const n = Number.parseInt(values.n, 10);
  if(positionals.length !== 2 || !(n > 0)) {
    process.stderr.write('usage: node bench.mjs UNSIGNED.json KEYPAIR.json [--n N] (N > 0)\n');
    return 2;
  }
  const credential = JSON.parse(readFileSync(positionals[0], 'utf8'));
  delete credential.proof;
  const keyPair = JSON.parse(readFileSync(positionals[1], 'utf8'));
  const issuer = typeof credential.issuer === 'string' ? credential.issuer : credential.issuer?.id;
  const key = await loadKey(keyPair, keyPair.controller ?? issuer);
  const {documentLoader} = createDocumentLoader({extraDocuments: await controllerDocuments(key)});
  const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022});
  const sign = () => vc.issue({credential: structuredClone(credential), suite, documentLoader});
  const verify = async signed => {
    const error = await verifyDi(signed, {documentLoader, skipStatus: true});
    if(error) {
      throw new Error(`the Digital Bazaar signature did not verify: ${error}`);
    }
  };

  await verify(await sign()); // warm-up: JIT, context parsing caches
  let signed;
  let start = cpuMs();
  for(let i = 0; i < n; i++) {
    signed = await sign();
  }
  const issueMs = cpuMs() - start;
  start = cpuMs();
  for(let i = 0; i < n; i++) {
    await verify(signed);
  }
  const verifyMs = cpuMs() - start;
  const figures = {
    js_di_issue_ops: opsPerSecond(n, issueMs),
    js_di_verify_ops: opsPerSecond(n, verifyMs),
    n,
    node: process.version
  };
  if(values['jwt-payload'] !== undefined) {
    const payload = JSON.parse(readFileSync(values['jwt-payload'], 'utf8'));
    Object.assign(figures, await joseSignOps(payload, key, values.kid, 10 * n));
  }
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  return 0;
}

try {
  process.exitCode = await main();
} catch(error) {
  process.stderr.write(`bench.mjs: ${error.message}\n`);
  process.exitCode = 1;
}
