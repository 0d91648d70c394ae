#!/usr/bin/env node
/*
 * node interop/verify.mjs FILE... [--resolve-dir DIR] [--proof-only] [--skip-status] [--now ISO]
 *
 * Verifies each credential file (JSON with a Data Integrity proof, or a compact VC-JWT) offline and
 * prints one JSON line per file: {"file", "verified", "format": "di"|"jwt", "proofs", "error"}.
 * Exits 0 iff every file verified, 1 if one did not, 2 on a usage error. See README.md.
 */
import {readFileSync} from 'node:fs';
import {parseArgs} from 'node:util';

import {createDocumentLoader} from './loader.mjs';
import {verifyDi, verifyJwt} from './verifiers.mjs';

async function verifyFile(file, context) {
  let format = 'di';
  try {
    const text = readFileSync(file, 'utf8').trim();
    if(text.startsWith('{')) {
      const error = await verifyDi(JSON.parse(text), context);
      return {file, verified: !error, format, proofs: error ? [] : ['eddsa-rdfc-2022'], error};
    }
    format = 'jwt';
    const proofs = await verifyJwt(text, context);
    return {file, verified: true, format, proofs, error: null};
  } catch(error) {
    return {file, verified: false, format, proofs: [], error: error.message ?? String(error)};
  }
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        'resolve-dir': {type: 'string'},
        'proof-only': {type: 'boolean', default: false},
        'skip-status': {type: 'boolean', default: false},
        now: {type: 'string'}
      }
    });
    if(!parsed.positionals.length) {
      throw new Error('give at least one credential file');
    }
  } catch(error) {
    process.stderr.write(`verify.mjs: ${error.message}\n` +
      'usage: node verify.mjs FILE... [--resolve-dir DIR] [--proof-only] [--skip-status] [--now ISO]\n');
    return 2;
  }
  const {values, positionals} = parsed;
  let loader;
  try {
    loader = createDocumentLoader({resolveDir: values['resolve-dir'] ?? null});
  } catch(error) {
    process.stderr.write(`verify.mjs: --resolve-dir: ${error.message}\n`);
    return 2;
  }
  const {documentLoader, index} = loader;
  const context = {
    documentLoader, index,
    proofOnly: values['proof-only'],
    skipStatus: values['skip-status'],
    now: values.now
  };
  let allVerified = true;
  for(const file of positionals) {
    const result = await verifyFile(file, context);
    allVerified &&= result.verified;
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  return allVerified ? 0 : 1;
}

process.exitCode = await main();
