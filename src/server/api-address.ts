// Where the API server listens, what it advertises and what its own kubeconfigs say, decided as upstream and k3s
// do: k3s listens on every address (--bind-address 0.0.0.0); kube-apiserver advertises its bind address unless that
// is unspecified or loopback, and then the host's default-route address (here --node-ip when given), which is what
// the `kubernetes` Service's endpoints carry, so pods (whose loopback is their own) reach the API through
// kube-proxy. The kubeconfigs the server writes for itself and its hosted components say https://127.0.0.1:PORT
// whenever the API listens on loopback, as k3s's do.
import { primaryIPv4 } from '../node/kubelet/host.ts';

export const defaultBindAddress = '0.0.0.0';

function isUnspecified(address: string): boolean {
  return address === '' || address === '0.0.0.0' || address === '::';
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address === 'localhost';
}

/** kube-apiserver's default --advertise-address for this --bind-address (nodeIp: --node-ip, if given). */
export function defaultAdvertiseAddress(bindAddress: string, nodeIp?: string): string {
  if (!isUnspecified(bindAddress) && !isLoopback(bindAddress)) return bindAddress;
  return nodeIp ?? primaryIPv4();
}

/** The host in the URL of the server's own kubeconfigs: loopback when the API listens there, else the bind address. */
export function localApiHost(bindAddress: string): string {
  return isUnspecified(bindAddress) ? '127.0.0.1' : bindAddress;
}

/** https://HOST:PORT, with an IPv6 literal in brackets. */
export function apiUrl(host: string, port: number): string {
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Whether the API listens on every address of the host (then every host address belongs on its certificate). */
export function listensEverywhere(bindAddress: string): boolean {
  return isUnspecified(bindAddress);
}
