// Independent C2PA verification: c2pa-rs compiled to WebAssembly reads an MP4 and reports, as JSON on stdout,
// the validation state, every validation status code, and whether the signing certificate chains to the
// trust anchor given (the ViraLoop development CA's root).
// Usage: node verify.mjs FILE.mp4 [TRUST_ANCHOR.pem]
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { initSync, WasmReader } from '@contentauth/c2pa-wasm';

const [file, anchorPath] = process.argv.slice(2);
if (!file) {
  console.error('usage: node verify.mjs FILE.mp4 [TRUST_ANCHOR.pem]');
  process.exit(2);
}

const require = createRequire(import.meta.url);
const wasmPath = require.resolve('@contentauth/c2pa-wasm/c2pa.wasm');
initSync({ module: await readFile(wasmPath) });

const settings = {
  verify: {
    verify_after_reading: true,
    verify_trust: Boolean(anchorPath),
    ocsp_fetch: false,
    remote_manifest_fetch: false,
  },
};
if (anchorPath) settings.trust = { trust_anchors: await readFile(anchorPath, 'utf8') };

const result = { file, trustAnchor: anchorPath ?? null };
try {
  const bytes = new Uint8Array(await readFile(file));
  const reader = await WasmReader.fromBytes('video/mp4', bytes, JSON.stringify(settings));
  const store = JSON.parse(reader.json());
  const active = store.active_manifest ? store.manifests?.[store.active_manifest] : undefined;
  const results = store.validation_results?.activeManifest ?? {};
  const codes = (list) => (list ?? []).map((s) => s.code);
  result.activeManifest = store.active_manifest ?? null;
  result.validationState = store.validation_state ?? null;
  result.success = codes(results.success);
  result.informational = codes(results.informational);
  result.failure = codes(results.failure);
  result.validationStatus = (store.validation_status ?? []).map((s) => s.code);
  result.trusted = result.success.includes('signingCredential.trusted');
  result.hashMatches = result.success.some((c) => c.startsWith('assertion.bmffHash.match'))
    && !result.failure.some((c) => c.startsWith('assertion.bmffHash') || c.startsWith('assertion.dataHash'));
  result.claimGenerator = active?.claim_generator ?? active?.claim_generator_info?.[0]?.name ?? null;
  result.signatureInfo = active?.signature_info ?? null;
  result.actions = (active?.assertions ?? [])
    .filter((a) => a.label?.startsWith('c2pa.actions'))
    .flatMap((a) => a.data?.actions ?? []).map((a) => a.action);
  reader.free();
} catch (err) {
  result.error = String(err?.message ?? err);
}
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
