// The pod-template-hash (upstream ComputeHash: FNV-32a over the template, safe-encoded) and template equality
// ignoring that label (upstream EqualIgnoreHash).
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { canonicalJson } from './canonical-json.ts';
import { podTemplateHashLabel } from './deployment-names.ts';

function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Upstream rand.SafeEncodeString: each character mapped into an alphabet without vowels (no words, no 0/1/3). */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += safeAlphabet[s.charCodeAt(i) % safeAlphabet.length];
  return out;
}

/** FNV-32a over the template (canonical JSON) and, after a collision, the collision count's 4 little-endian bytes. */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}

function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const c = structuredClone(t ?? {});
  if (c.metadata?.labels) {
    delete c.metadata.labels[podTemplateHashLabel];
    if (!Object.keys(c.metadata.labels).length) delete c.metadata.labels;
  }
  return c;
}

/** Upstream EqualIgnoreHash: templates equal apart from the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}
