import { createHash } from 'node:crypto';
import { EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { loadAppConfig } from '@app/config/app-config';
import { SourceCredentials } from './source-credentials';

describe('SourceCredentials: connector base URLs (no SSRF)', () => {
  const box = new SecretBox([SecretBox.generateKey('k1')]);
  const credentials = (env: Record<string, string>) => new SourceCredentials(box, new EncryptedColumns(), loadAppConfig(env));
  const chatwoot = (baseUrl: string) => ({ baseUrl, apiToken: 't', accountId: '1' });
  const inward = ['http://127.0.0.1:3000', 'http://2130706433:3000', 'http://0177.0.0.1', 'http://0x7f.1', 'http://localhost', 'http://LOCALHOST.:80', 'http://10.1.2.3', 'http://192.168.0.9', 'http://172.20.0.1', 'http://100.64.1.1', 'http://169.254.169.254/latest', 'http://[::1]:80', 'http://[::ffff:127.0.0.1]', 'http://[fd00:ec2::254]', 'http://metadata.google.internal'];

  it('refuses literal inward hosts in every mode (development and test included), not only in production', () => {
    for (const env of ['production', 'development', 'test']) {
      const c = credentials({ NODE_ENV: env });
      for (const url of inward) expect(() => c.validate('chatwoot', chatwoot(url))).toThrow(/not valid/);
      expect(c.validate('chatwoot', chatwoot('https://app.chatwoot.com'))).toEqual(chatwoot('https://app.chatwoot.com'));
    }
  });

  it('lets CONNECTOR_ALLOWED_HOSTS open hosts and ranges, never a metadata endpoint', () => {
    const c = credentials({ NODE_ENV: 'production', CONNECTOR_ALLOWED_HOSTS: '127.0.0.1,localhost,10.0.0.0/8' });
    for (const url of ['http://127.0.0.1:3000', 'http://localhost:8080', 'http://10.0.0.5']) expect(c.validate('chatwoot', chatwoot(url))).toBeTruthy();
    for (const url of ['http://192.168.0.9', 'http://169.254.169.254', 'http://metadata.google.internal']) expect(() => c.validate('chatwoot', chatwoot(url))).toThrow(/not valid/);
  });

  it('refuses what is not http(s) or carries credentials', () => {
    const c = credentials({ NODE_ENV: 'development' });
    for (const url of ['ftp://x.example.com', 'file:///etc/passwd', 'https://user:pw@chat.example.com', 'not a url']) {
      expect(() => c.validate('chatwoot', chatwoot(url))).toThrow(/not valid/);
    }
  });

  it('CONNECTOR_ALLOW_PRIVATE_HOSTS is gone: true stops the start-up with the way forward, false is ignored', () => {
    expect(() => loadAppConfig({ CONNECTOR_ALLOW_PRIVATE_HOSTS: 'true' })).toThrow(/CONNECTOR_ALLOWED_HOSTS/);
    expect(loadAppConfig({ CONNECTOR_ALLOW_PRIVATE_HOSTS: 'false' }).CONNECTOR_ALLOWED_HOSTS).toBe('');
    expect(() => loadAppConfig({ CONNECTOR_ALLOWED_HOSTS: '10.0.0.0/99' })).toThrow(/CONNECTOR_ALLOWED_HOSTS/);
  });

  it('names a Gong account by a hash of its key, with the base URL when it is not Gong\'s own (a proof from another server proves nothing about Gong)', () => {
    const c = credentials({});
    const hash = `key-sha256:${createHash('sha256').update('AK').digest('hex').slice(0, 32)}`;
    expect(c.externalIdOf('gong', { accessKey: 'AK', secretKey: 's' }, {})).toBe(hash);
    expect(c.externalIdOf('gong', { accessKey: 'AK', secretKey: 's', baseUrl: 'https://api.gong.io/' }, {})).toBe(hash);
    expect(c.externalIdOf('gong', { accessKey: 'AK', secretKey: 's', baseUrl: 'https://gong.evil.example' }, {})).toBe(`${hash}@https://gong.evil.example`);
  });
});
