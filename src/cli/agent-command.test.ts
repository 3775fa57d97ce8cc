// `skiff agent` refuses bad flags with a message naming the flag, before it contacts any server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentCommand, agentHelp } from './agent-command.ts';

test('skiff agent: flags are checked before joining', async () => {
  // port 1 on loopback: were the agent to try joining, the error would be a connection failure instead
  const base = ['--server', 'https://127.0.0.1:1', '--token', 't'];
  await assert.rejects(agentCommand([...base, '--cluster-cidr', 'bogus']), /^Error: --cluster-cidr: want an IPv4 CIDR such as 10\.42\.0\.0\/16, got "bogus"$/);
  await assert.rejects(agentCommand(['--token', 't']), /--server https:\/\/HOST:PORT is required/);
  await assert.rejects(agentCommand(['--server', 'https://127.0.0.1:1']), /--token \(or --token-file\) is required/);
  await assert.rejects(agentCommand(base), /cannot reach the server at https:\/\/127\.0\.0\.1:1/);
  assert.match(agentHelp, /--disable-kube-proxy/);
});
