#!/usr/bin/env node
/*
 * node interop/wallet.mjs FILE... --published DIR [--registry FILE]
 *
 * Verifies each credential file with @digitalcredentials/verifier-core, the verifier the Learner
 * Credential Wallet and VerifierPlus run, unchanged: its own document loader, did:web resolver,
 * status list checker and schema check. Only the HTTP layer is replaced: globalThis.fetch (which
 * its HTTP client, ky, and its registry and schema code all call) answers from DIR, where
 * DIR/<host>/<path> stands for https://<host>/<path>, plus the standard contexts and OB 3.0 JSON
 * schemas bundled with badge_issuer, which stand for their published URLs. Any other URL gets a
 * 404, as an unpublished URL would, and is listed under "refused", so a test can fail on it.
 *
 * One JSON line per file: {"file", "verified", "status", "errors", "log", "schemas", "fetched", "refused"}.
 * "status" is "active", "revoked" or "suspended" from verifier-core's status steps.
 * Exit status 0 if every file verified, 1 otherwise, 2 on a usage error.
 */
import {existsSync, readFileSync, readdirSync, statSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const PACKAGE = join(HERE, '..', 'badge_issuer');
// Bundled but published nowhere (the project's old context URL): never served.
const UNPUBLISHED = new Set(['https://w3id.org/microvet/context/v1.jsonld']);
const SCHEMA_BASE = 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/';

/** URL -> [body, content type] for every published document this run may serve. */
function publishedDocuments(dir) {
  const served = new Map();
  const index = JSON.parse(readFileSync(join(PACKAGE, 'contexts', 'index.json'), 'utf8'));
  for(const [url, file] of Object.entries(index)) {
    if(!UNPUBLISHED.has(url)) {
      served.set(url, [readFileSync(join(PACKAGE, 'contexts', file), 'utf8'), 'application/ld+json']);
    }
  }
  for(const file of readdirSync(join(PACKAGE, 'schemas'))) {
    served.set(SCHEMA_BASE + file, [readFileSync(join(PACKAGE, 'schemas', file), 'utf8'), 'application/json']);
  }
  const walk = (path, url) => {
    for(const name of readdirSync(path)) {
      const child = join(path, name);
      if(statSync(child).isDirectory()) {
        walk(child, `${url}/${name}`);
      } else {
        served.set(`${url}/${name}`, [readFileSync(child, 'utf8'), 'application/json']);
      }
    }
  };
  for(const host of readdirSync(dir)) {
    walk(join(dir, host), `https://${host.replace('%3A', ':')}`);
  }
  return served;
}

const requested = {fetched: [], refused: []};

function installFetch(served) {
  globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    url.hash = '';
    const found = request.method === 'GET' ? served.get(url.href) : undefined;
    if(found === undefined) {
      requested.refused.push(url.href);
      return new Response(`not published: ${url.href}`, {status: 404, headers: {'content-type': 'text/plain'}});
    }
    requested.fetched.push(url.href);
    return new Response(found[0], {status: 200, headers: {'content-type': found[1]}});
  };
}

/** "revoked" / "suspended" when verifier-core's log says so, else "active". */
function statusOf(log) {
  for(const purpose of ['revocation', 'suspension']) {
    if(log.some(step => step.id === `${purpose}_status` && step.valid === false)) {
      return purpose === 'revocation' ? 'revoked' : 'suspended';
    }
  }
  return 'active';
}

async function verifyFile(file, verifyCredential, knownDIDRegistries) {
  requested.fetched = [];
  requested.refused = [];
  const credential = JSON.parse(readFileSync(file, 'utf8'));
  const result = await verifyCredential({credential, knownDIDRegistries});
  const log = (result.log ?? []).map(({id, valid, error}) => ({id, valid, ...(error ? {error} : {})}));
  const errors = (result.errors ?? []).map(({name, message}) => ({name, message}));
  const schemaCheck = (result.additionalInformation ?? []).find(entry => entry.id === 'schema_check');
  const schemas = Array.isArray(schemaCheck?.results) ?
    schemaCheck.results.map(({schema, result: {valid}}) => ({schema, valid})) : [];
  const stepsOk = log.filter(step => step.id !== 'registered_issuer').every(step => step.valid === true);
  const signed = log.some(step => step.id === 'valid_signature' && step.valid === true);
  return {
    file,
    verified: !errors.length && signed && stepsOk,
    status: statusOf(log),
    errors,
    log,
    schemas,
    fetched: [...new Set(requested.fetched)],
    refused: [...new Set(requested.refused)]
  };
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {published: {type: 'string'}, registry: {type: 'string'}}
    });
    if(!parsed.positionals.length || !parsed.values.published) {
      throw new Error('give --published DIR and at least one credential file');
    }
    if(!existsSync(parsed.values.published)) {
      throw new Error(`--published: ${parsed.values.published} does not exist`);
    }
  } catch(error) {
    process.stderr.write(`wallet.mjs: ${error.message}\n` +
      'usage: node wallet.mjs FILE... --published DIR [--registry FILE]\n');
    return 2;
  }
  installFetch(publishedDocuments(parsed.values.published));
  // Imported after the stub is installed, so no module can capture the real fetch first.
  const {verifyCredential} = await import('@digitalcredentials/verifier-core');
  const registries = parsed.values.registry ? JSON.parse(readFileSync(parsed.values.registry, 'utf8')) : [];
  let allVerified = true;
  for(const file of parsed.positionals) {
    const result = await verifyFile(file, verifyCredential, registries);
    allVerified &&= result.verified;
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  return allVerified ? 0 : 1;
}

process.exitCode = await main();
