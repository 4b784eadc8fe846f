import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapFathom } from './fathom.mapper';

const fixture = (name: string) => JSON.parse(readFileSync(join(process.cwd(), 'test/support/fixtures/webhooks', name), 'utf8'));

describe('Fathom new meeting content ready -> actions', () => {
  it('maps each transcript segment to a message by its speaker, at recording start + "HH:MM:SS", in the recording thread', () => {
    const { actions } = mapFathom(fixture('fathom-new-meeting-content-ready.json'));
    expect(actions).toHaveLength(4);
    expect(actions[0]).toEqual({
      kind: 'message',
      message: expect.objectContaining({
        externalId: '123456789:0',
        content: "Let's revisit the budget allocations for the renewal.",
        sentAt: '2026-03-02T16:06:44.000Z',
        threadId: 'fathom:123456789',
        title: 'Initech renewal review',
        author: { name: 'Jane Doe', email: 'jane.doe@acme.example', externalId: null },
        metadata: expect.objectContaining({ kind: 'transcript-segment', timestamp: '00:05:32', offsetSeconds: 332, url: 'https://fathom.video/calls/123456789' }),
        raw: { speaker: { display_name: 'Jane Doe', matched_calendar_invitee_email: 'jane.doe@acme.example' }, text: "Let's revisit the budget allocations for the renewal.", timestamp: '00:05:32' },
      }),
    });
    // A speaker no invitee matched is still an author, by name.
    expect(actions[2]).toMatchObject({ kind: 'message', message: { externalId: '123456789:2', author: { name: 'Guest 3', email: null } } });
  });

  it('adds one summary message with the action items, by the recorder, at the recording end', () => {
    const summary = mapFathom(fixture('fathom-new-meeting-content-ready.json')).actions[3];
    expect(summary).toEqual({
      kind: 'message',
      message: expect.objectContaining({
        externalId: '123456789:summary',
        sentAt: '2026-03-02T17:00:55.000Z',
        author: { name: 'Jane Doe', email: 'jane.doe@acme.example', externalId: null },
        metadata: expect.objectContaining({ kind: 'summary', actionItems: [expect.objectContaining({ description: 'Email the SSO roadmap to Initech' })] }),
      }),
    });
    expect((summary as any).message.content).toContain('Initech will renew for three years');
    expect((summary as any).message.content).toContain('- Email the SSO roadmap to Initech (Jane Doe)');
    expect((summary as any).message.raw.transcript).toBeUndefined();
  });

  it('ignores a meeting without recording id or content', () => {
    expect(mapFathom({ title: 'x' }).actions[0].kind).toBe('ignored');
    expect(mapFathom({ recording_id: 5, title: 'x' }).actions).toEqual([{ kind: 'ignored', reason: expect.stringContaining('without transcript or summary') }]);
    // An obfuscated or broken email does not cost the segment its place.
    const p = fixture('fathom-new-meeting-content-ready.json');
    p.transcript[0].speaker.matched_calendar_invitee_email = '[email protected]';
    expect(mapFathom(p).actions[0]).toMatchObject({ kind: 'message', message: { author: { name: 'Jane Doe', email: null } } });
  });
});
