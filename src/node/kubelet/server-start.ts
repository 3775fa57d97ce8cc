// Starts the kubelet's HTTPS API for startKubelet: its serving certificate, a streaming CRI client on the same
// runtime endpoint, and the pod lister (for container states in log errors). stop() closes both.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Lister } from '../../client/index.ts';
import type { CriClient } from '../cri/client.ts';
import { CriStreaming } from '../cri/streaming.ts';
import { KubeletServer, kubeletServingCert } from './server.ts';

export interface KubeletServerStart {
  port: number;
  clientCA: string;
  address?: string;
  cri: CriClient;
  endpoint: string;
  pods: Lister<Pod>;
  /** Where the serving certificate is kept. */
  dir: string;
  nodeName: string;
  hostIP: string;
  log: (msg: string) => void;
}

export async function startKubeletServer(o: KubeletServerStart): Promise<{ port: number; stop(): Promise<void> }> {
  const streaming = new CriStreaming(o.endpoint);
  const server = new KubeletServer({
    cri: o.cri,
    streaming,
    clientCA: o.clientCA,
    serving: await kubeletServingCert(o.dir, o.nodeName, o.hostIP),
    address: o.address,
    port: o.port,
    pod: (ns, name) => o.pods.get(ns, name),
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
