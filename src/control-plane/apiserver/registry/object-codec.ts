// How objects sit in the store: JSON text without metadata.resourceVersion (the store's modRevision is the
// truth, as etcd's mod_revision is upstream's). Reading puts the revision back.
import sjson from 'secure-json-parse';
import type { KeyValue } from '../../../store/interface.ts';
import type { KubeObject } from '../../../api/object.ts';

export function encodeForStore(obj: KubeObject): string {
  const meta = obj.metadata ?? {};
  if (meta.resourceVersion === undefined) return JSON.stringify(obj);
  const { resourceVersion: _dropped, ...rest } = meta;
  return JSON.stringify({ ...obj, metadata: rest });
}

export function decodeFromStore(kv: KeyValue): KubeObject {
  // Stored objects passed the decoding boundary on their way in; data written before it existed (or by another
  // writer to the same etcd) may still carry a `__proto__` key: it is dropped here, since a read must not fail.
  const obj = sjson.parse(kv.value, null, { protoAction: 'remove', constructorAction: 'remove' }) as KubeObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(kv.modRevision) };
  return obj;
}

export function keyFor(groupResource: string, namespace: string, name: string): string {
  return namespace ? `/registry/${groupResource}/${namespace}/${name}` : `/registry/${groupResource}/${name}`;
}

export function prefixFor(groupResource: string, namespace: string): string {
  return namespace ? `/registry/${groupResource}/${namespace}/` : `/registry/${groupResource}/`;
}
