/*
 * Strict, offline JSON-LD document loader for the Node interop verifiers.
 *
 * Serves exactly three kinds of URL and throws an error naming any other:
 *  - JSON-LD contexts bundled with the Python package (../badge_issuer/contexts/index.json), plus
 *    the security v1/v2 contexts jsonld-signatures itself uses to frame non-DID controller documents;
 *  - did:key (Ed25519 only): the DID document and verification method are built from the key in
 *    the DID itself with @digitalbazaar/ed25519-multikey, as did:key resolution requires;
 *  - did:web and https controller documents, verification methods and JWK sets from a local
 *    "resolve directory" (see README.md for its layout).
 */
import {readFileSync, readdirSync, statSync} from 'node:fs';
import {dirname, join, relative, sep} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {contexts as securityContexts} from '@digitalbazaar/security-context';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTEXT_DIR = join(HERE, '..', 'badge_issuer', 'contexts');

export const DID_V1 = 'https://www.w3.org/ns/did/v1';
export const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
const ED25519_MULTIKEY_PREFIX = 'z6Mk';

/** URL -> parsed context, read once from the bundle shared with the Python package. */
function bundledContexts() {
  const index = JSON.parse(readFileSync(join(CONTEXT_DIR, 'index.json'), 'utf8'));
  const contexts = new Map(securityContexts);
  for(const [url, file] of Object.entries(index)) {
    contexts.set(url, JSON.parse(readFileSync(join(CONTEXT_DIR, file), 'utf8')));
  }
  return contexts;
}

const CONTEXTS = bundledContexts();

/** Split "did:key:z6Mk...#z6Mk..." into the DID and its fragment. */
function splitFragment(url) {
  const hash = url.indexOf('#');
  return hash < 0 ? [url, ''] : [url.slice(0, hash), url.slice(hash + 1)];
}

/**
 * The DID document of an Ed25519 did:key, derived from the key (no network).
 * Relationships follow the did:key method spec: the one key serves every purpose.
 */
export async function didKeyDocument(did) {
  const multibase = did.slice('did:key:'.length);
  if(!multibase.startsWith(ED25519_MULTIKEY_PREFIX)) {
    throw new Error(`${did}: only Ed25519 did:key identifiers (z6Mk...) are supported offline`);
  }
  const vmId = `${did}#${multibase}`;
  const key = await Ed25519Multikey.from({
    id: vmId, controller: did, publicKeyMultibase: multibase
  });
  const verificationMethod = await key.export({publicKey: true});
  return {
    '@context': [DID_V1, MULTIKEY_V1],
    id: did,
    verificationMethod: [verificationMethod],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityDelegation: [vmId],
    capabilityInvocation: [vmId]
  };
}

/** Every *.json file under dir (recursively), as [path relative to dir, parsed JSON]. */
function readJsonTree(dir) {
  const found = [];
  for(const name of readdirSync(dir)) {
    const path = join(dir, name);
    if(statSync(path).isDirectory()) {
      found.push(...readJsonTree(path).map(([rel, doc]) => [join(name, rel), doc]));
    } else if(name.endsWith('.json') || name.endsWith('.jsonld')) {
      try {
        found.push([name, JSON.parse(readFileSync(path, 'utf8'))]);
      } catch(error) {
        throw new Error(`${path}: not valid JSON (${error.message})`);
      }
    }
  }
  return found;
}

/** Verification methods a controller document declares or embeds, with absolute ids. */
function verificationMethodsOf(doc) {
  const methods = [];
  const relations = ['verificationMethod', 'assertionMethod', 'authentication',
    'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'];
  for(const relation of relations) {
    for(const entry of [].concat(doc[relation] ?? [])) {
      if(entry && typeof entry === 'object' && typeof entry.id === 'string') {
        const id = entry.id.startsWith('#') ? `${doc.id}${entry.id}` : entry.id;
        methods.push({...entry, id, controller: entry.controller ?? doc.id});
      }
    }
  }
  return methods;
}

/**
 * Index a resolve directory.
 * Controller / DID documents are found by their own "id" (any file name). JWK sets ({"keys": [...]})
 * have no id, so they are found by path: DIR/example.edu/.well-known/jwks.json stands for
 * https://example.edu/.well-known/jwks.json.
 */
function indexResolveDir(dir, extraDocuments = []) {
  const documents = new Map();
  const methods = new Map();
  const jwks = new Map();
  const add = doc => {
    if(typeof doc.id !== 'string') {
      return false;
    }
    documents.set(doc.id, doc);
    for(const vm of verificationMethodsOf(doc)) {
      methods.set(vm.id, {'@context': doc['@context'], ...vm});
    }
    return true;
  };
  for(const doc of extraDocuments) {
    add(doc);
  }
  for(const [rel, doc] of dir ? readJsonTree(dir) : []) {
    if(Array.isArray(doc.keys)) {
      jwks.set(`https://${rel.split(sep).join('/')}`, doc);
    } else if(!add(doc)) {
      throw new Error(`${join(dir, rel)}: neither a document with an "id" nor a JWK set`);
    }
  }
  return {documents, methods, jwks};
}

/**
 * Build the strict offline loader.
 * Returns {documentLoader, index}; documentLoader(url) -> {contextUrl, documentUrl, document}.
 */
export function createDocumentLoader({resolveDir = null, extraDocuments = []} = {}) {
  const index = indexResolveDir(resolveDir, extraDocuments);
  async function documentLoader(url) {
    let document = CONTEXTS.get(url);
    if(document === undefined && url.startsWith('did:key:')) {
      const [did, fragment] = splitFragment(url);
      const didDocument = await didKeyDocument(did);
      if(!fragment) {
        document = didDocument;
      } else if(fragment === did.slice('did:key:'.length)) {
        document = {'@context': didDocument['@context'], ...didDocument.verificationMethod[0]};
      } else {
        throw new Error(`${url}: a did:key verification method fragment must repeat the key`);
      }
    }
    document ??= index.documents.get(url) ?? index.methods.get(url);
    if(document === undefined) {
      throw new Error(
        `${url}: not available offline (not a bundled context, not an Ed25519 did:key, ` +
        `not in the resolve directory${resolveDir ? ` ${relative(process.cwd(), resolveDir) || '.'}` : ''})`);
    }
    return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
  }
  return {documentLoader, index};
}
