// The version Skiff reports. It serves a Kubernetes 1.32-level API, and says honestly that it is Skiff.
export const kubernetesMinor = 32;

export function version(): Record<string, string> {
  return {
    major: '1',
    minor: String(kubernetesMinor),
    gitVersion: `v1.${kubernetesMinor}.0+skiff`,
    gitCommit: 'skiff',
    gitTreeState: 'clean',
    buildDate: '2026-11-26T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsx',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
