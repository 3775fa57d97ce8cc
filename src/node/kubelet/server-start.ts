// Starts the kubelet's HTTPS API for startKubelet: its serving certificate, a streaming CRI client on the same
// runtime endpoint, and a pod lookup through the API (for container states in log errors; only on errors and log
// requests, so a GET is cheap enough). stop() closes both.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isNotFound, resourceRef, type RestClient } from '../../client/index.ts';
import type { CriClient } from '../cri/client.ts';
import { CriStreaming } from '../cri/streaming.ts';
import { KubeletServer, kubeletServingCert } from './server.ts';

export interface KubeletServerStart {
  port: number;
  clientCA: string;
  address?: string;
  cri: CriClient;
  endpoint: string;
  client: RestClient;
  /** Where the serving certificate is kept. */
  dir: string;
  nodeName: string;
  hostIP: string;
  /** Where this node's Skiff components keep their logs (served for their mirror pods). */
  componentLogDir?: string;
  log: (msg: string) => void;
}

const podsRef = resourceRef('v1', 'pods');

export async function startKubeletServer(o: KubeletServerStart): Promise<{ port: number; stop(): Promise<void> }> {
  const streaming = new CriStreaming(o.endpoint);
  const server = new KubeletServer({
    cri: o.cri,
    streaming,
    clientCA: o.clientCA,
    serving: await kubeletServingCert(o.dir, o.nodeName, o.hostIP),
    address: o.address,
    port: o.port,
    pod: async (ns, name) => {
      try {
        const pod = await o.client.get<Pod>(podsRef, name, { namespace: ns });
        return pod.spec?.nodeName === o.nodeName ? pod : undefined;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    componentLogDir: o.componentLogDir,
    log: o.log,
  });
  const port = await server.start();
  o.log(`kubelet API listening on port ${port}`);
  return {
    port,
    async stop() {
      await server.stop();
      streaming.close();
    },
  };
}
