// What the proxier needs from a way of programming the kernel (nftables, iptables): sync the changed services'
// ports (or everything, on a full sync) and remove its rules on cleanup.
import type { ServicePortInfo } from './model.ts';

export interface ProxyBackend {
  readonly mode: string;
  /**
   * Programs the kernel. `changed` holds the services whose ports changed (an empty list: the service is gone);
   * when `full`, `all` is every service's ports and nothing else may remain programmed.
   */
  sync(changed: Map<string, ServicePortInfo[]>, all: () => Map<string, ServicePortInfo[]>, full: boolean): Promise<SyncStats>;
  cleanup(): Promise<boolean>;
}

export interface SyncStats {
  full: boolean;
  /** Lines of the transaction (a size measure). */
  commands: number;
}
