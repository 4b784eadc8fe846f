import type { Request } from 'express';
import { AdminTokenWorkspaceAccessPolicy } from './admin-token-workspace-access.policy';

const TOKEN = 'a-temporary-admin-token-0123456789';
const WS = '01976c2e-4d2a-7b3c-8d4e-5f6a7b8c9d0e';

function requestWith(headers: Record<string, string>): Request {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { header: (name: string) => lower[name.toLowerCase()] } as unknown as Request;
}

describe('AdminTokenWorkspaceAccessPolicy (temporary binding until identity)', () => {
  it('lets the ADMIN_TOKEN bearer read (viewer) any workspace', async () => {
    const policy = new AdminTokenWorkspaceAccessPolicy(TOKEN);
    await expect(policy.roleIn(requestWith({ Authorization: `Bearer ${TOKEN}` }), WS)).resolves.toBe('viewer');
    await expect(policy.roleIn(requestWith({ Authorization: `bearer ${TOKEN}` }), WS)).resolves.toBe('viewer');
  });

  it('refuses every other caller', async () => {
    const policy = new AdminTokenWorkspaceAccessPolicy(TOKEN);
    const others: Record<string, string>[] = [
      {},
      { Authorization: `Bearer ${TOKEN.slice(1)}` },
      { Authorization: `Bearer ${TOKEN}0` },
      { Authorization: `Basic ${TOKEN}` },
      { 'X-API-Key': TOKEN },
    ];
    for (const headers of others) {
      await expect(policy.roleIn(requestWith(headers), WS)).resolves.toBeNull();
    }
  });

  it('refuses everybody when no ADMIN_TOKEN is configured', async () => {
    const policy = new AdminTokenWorkspaceAccessPolicy(undefined);
    for (const token of ['', 'undefined', TOKEN]) {
      await expect(policy.roleIn(requestWith({ Authorization: `Bearer ${token}` }), WS)).resolves.toBeNull();
    }
  });
});
