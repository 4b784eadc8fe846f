import { EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { loadAppConfig } from '@app/config/app-config';
import { isPrivateHost, SourceCredentials } from './source-credentials';

describe('SourceCredentials: connector base URLs (no SSRF)', () => {
  const box = new SecretBox([SecretBox.generateKey('k1')]);
  const production = new SourceCredentials(box, new EncryptedColumns(), loadAppConfig({ NODE_ENV: 'production' }));
  const dev = new SourceCredentials(box, new EncryptedColumns(), loadAppConfig({ NODE_ENV: 'development' }));
  const chatwoot = (baseUrl: string) => ({ baseUrl, apiToken: 't', accountId: '1' });

  it('refuses private, loopback, link-local and metadata hosts in production', () => {
    for (const url of ['http://127.0.0.1:3000', 'http://localhost', 'http://10.1.2.3', 'http://192.168.0.9', 'http://172.20.0.1', 'http://169.254.169.254/latest', 'http://[::1]:80', 'http://metadata.internal']) {
      expect(() => production.validate('chatwoot', chatwoot(url))).toThrow(/not valid/);
    }
    expect(production.validate('chatwoot', chatwoot('https://app.chatwoot.com'))).toEqual(chatwoot('https://app.chatwoot.com'));
  });

  it('refuses what is not http(s) or carries credentials, everywhere; allows local hosts outside production (tests, self-hosting)', () => {
    for (const url of ['ftp://x.example.com', 'file:///etc/passwd', 'https://user:pw@chat.example.com', 'not a url']) {
      expect(() => dev.validate('chatwoot', chatwoot(url))).toThrow(/not valid/);
    }
    expect(dev.validate('chatwoot', chatwoot('http://127.0.0.1:3000'))).toEqual(chatwoot('http://127.0.0.1:3000'));
    expect(new SourceCredentials(box, new EncryptedColumns(), loadAppConfig({ NODE_ENV: 'production', CONNECTOR_ALLOW_PRIVATE_HOSTS: 'true' })).validate('chatwoot', chatwoot('http://10.0.0.5'))).toBeTruthy();
  });

  it('classifies hosts', () => {
    expect(['127.0.0.1', '10.0.0.1', '100.64.0.1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1'].every(isPrivateHost)).toBe(true);
    expect(['8.8.8.8', 'chat.example.com', '2001:4860::8888', '172.32.0.1'].some(isPrivateHost)).toBe(false);
  });
});
