import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapGong } from './gong.mapper';

const fixture = (name: string) => JSON.parse(readFileSync(join(process.cwd(), 'test/support/fixtures/webhooks', name), 'utf8'));

describe('Gong -> actions', () => {
  it('maps each monologue of callTranscripts to a message by the party with that speakerId', () => {
    const { actions } = mapGong(fixture('gong-call-transcripts.json'));
    expect(actions).toHaveLength(3);
    expect(actions[1]).toEqual({
      kind: 'message',
      message: expect.objectContaining({
        externalId: '5599332235511222779:5600',
        content: 'Before we sign for three years we need SSO. Our security review also asks for audit logs of admin actions.',
        // started 14:03:37.041977-08:00 + 5.6 s
        sentAt: '2026-03-02T22:03:42.641Z',
        threadId: 'gong:5599332235511222779',
        title: 'Acme <> Initech renewal',
        author: { name: 'John Smith', email: 'john.smith@initech.example', externalId: null },
        metadata: expect.objectContaining({ kind: 'transcript-monologue', speakerId: '1146776722558856214', topic: 'Security', startMs: 5600, endMs: 13400, affiliation: 'External' }),
      }),
    });
    // Company people are known by their Gong user id; an unknown voice by its speaker id.
    expect(actions[0]).toMatchObject({ message: { author: { name: 'Jane Doe', externalId: '7744111777663220493' } } });
    expect(actions[2]).toMatchObject({ message: { author: { name: 'Speaker 9999999999999999999', externalId: 'speaker:9999999999999999999' } } });
  });

  it('maps the automation-rule call data to one summary message (brief, key points, action items)', () => {
    const { actions } = mapGong(fixture('gong-call-webhook.json'));
    expect(actions).toEqual([
      {
        kind: 'message',
        message: expect.objectContaining({
          externalId: '5599332235511222779:summary',
          sentAt: '2026-03-02T22:03:37.041Z',
          threadId: 'gong:5599332235511222779',
          author: { name: 'Jane Doe', email: 'jane.doe@acme.example', externalId: '7744111777663220493' },
          metadata: expect.objectContaining({ kind: 'call-summary', callId: '5599332235511222779', scope: 'External' }),
        }),
      },
    ]);
    const content = (actions[0] as any).message.content as string;
    expect(content).toContain('ready to renew for three years');
    expect(content).toContain('- SSO is a hard requirement');
    expect(content).toContain("- I'll send you the SSO roadmap by Friday");
  });

  it('says why a call without transcript or brief stores nothing', () => {
    const p = fixture('gong-call-webhook.json');
    delete p.callData.content;
    expect(mapGong(p).actions).toEqual([{ kind: 'ignored', reason: expect.stringContaining('/v2/calls/transcript') }]);
    expect(mapGong(null).actions[0].kind).toBe('ignored');
  });
});
