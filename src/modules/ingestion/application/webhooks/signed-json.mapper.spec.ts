import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapSignedJson } from './signed-json.mapper';

const fixture = (name: string) => JSON.parse(readFileSync(join(process.cwd(), 'test/support/fixtures/webhooks', name), 'utf8'));

describe('generic signed JSON webhook -> actions', () => {
  it('validates each message like an import row: good ones become messages, a bad one is ignored with its reasons', () => {
    const { actions } = mapSignedJson(fixture('signed-json-messages.json'));
    expect(actions).toEqual([
      { kind: 'message', message: expect.objectContaining({ externalId: 'crm-note-1001', channelName: 'crm-notes', title: 'Initech renewal', author: { name: 'Riley Park', email: 'riley@acme.example', externalId: 'u-17' } }) },
      { kind: 'message', message: expect.objectContaining({ externalId: 'crm-note-1002', threadId: 'crm-note-1001', isReply: true }) },
      { kind: 'ignored', reason: expect.stringMatching(/crm-note-1003.*content is required.*sentAt/) },
    ]);
  });

  it('ignores a body that is not { messages: [...] }', () => {
    expect(mapSignedJson({ message: {} }).actions[0].kind).toBe('ignored');
  });
});
