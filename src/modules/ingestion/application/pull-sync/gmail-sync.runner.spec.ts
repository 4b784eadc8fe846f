import { googleReason } from '@modules/ingestion/infrastructure/connectors/gmail.client';
import { backfillQuery, gmailConfigOf, gmailRow, wanted } from './gmail-sync.runner';

const raw = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1').toString('base64url');
const MAIL = raw([
  'From: Dana Scully <dana@fbi.example>',
  'To: Fox Mulder <fox@fbi.example>',
  'Subject: Re: SSO',
  'Date: Thu, 01 Jan 2026 10:00:00 +0000',
  'Message-ID: <reply-1@fbi.example>',
  'In-Reply-To: <root-1@fbi.example>',
  'References: <root-1@fbi.example>',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Okta only.',
  '',
]);
const ACCOUNT = '0193a6f0-0000-7000-8000-000000000001';

describe('Gmail sync: mapping and config', () => {
  it('maps a raw message with Gmail ids, thread, labels and the flags they carry; the reader says it is a reply', async () => {
    const row = await gmailRow({ id: '18c2f0a1b2c3d4e5', threadId: '18c2f0a1b2c3d000', labelIds: ['INBOX', 'UNREAD', 'STARRED', 'IMPORTANT', 'Label_7'], historyId: '4242', internalDate: '1767261600000', raw: MAIL });
    expect(row.kind).toBe('message');
    if (row.kind !== 'message') return;
    const m = row.message;
    expect(m).toMatchObject({ externalId: '18c2f0a1b2c3d4e5', threadId: '18c2f0a1b2c3d000', isReply: true, title: 'Re: SSO', content: 'Okta only.', sentAt: '2026-01-01T10:00:00.000Z' });
    expect(m.email).toMatchObject({ labels: ['INBOX', 'UNREAD', 'STARRED', 'IMPORTANT', 'Label_7'], isUnread: true, isStarred: true, isImportant: true, isSent: false, isDraft: false, internalDate: '2026-01-01T10:00:00.000Z' });
    expect(m.metadata).toMatchObject({
      messageId: 'reply-1@fbi.example',
      inReplyTo: 'root-1@fbi.example',
      gmailThreadId: '18c2f0a1b2c3d000',
      gmail: { messageId: '18c2f0a1b2c3d4e5', threadId: '18c2f0a1b2c3d000', historyId: '4242', labelIds: ['INBOX', 'UNREAD', 'STARRED', 'IMPORTANT', 'Label_7'], internalDate: '2026-01-01T10:00:00.000Z' },
    });
  });

  it('a message without a readable Date takes Gmail\'s internal date; SENT and SPAM labels say sent and spam', async () => {
    const noDate = raw(['From: a@b.example', 'Subject: hi', 'Message-ID: <x@b.example>', '', 'hello', '']);
    const row = await gmailRow({ id: 'a1', threadId: 'a1', labelIds: ['SENT', 'SPAM'], internalDate: '1767261600000', raw: noDate });
    expect(row.kind === 'message' && row.message).toMatchObject({ sentAt: '2026-01-01T10:00:00.000Z', isReply: false, email: { isSent: true }, metadata: { spamVerdict: 'spam' } });
  });

  it('rejects a message over the size limit without parsing it, naming its Gmail id', async () => {
    const row = await gmailRow({ id: 'big1', threadId: 'big1', raw: MAIL }, 10);
    expect(row).toEqual({ kind: 'rejected', errors: [{ field: '', message: expect.stringMatching(/^Gmail message big1 is .* more than the .* an email may have \(IMPORT_EMAIL_MAX_MB\)$/) }] });
  });

  it('reads the config with defaults; refuses what is not one', () => {
    expect(gmailConfigOf({ oauthAccountId: ACCOUNT })).toEqual({ ok: true, value: { oauthAccountId: ACCOUNT, backfillDays: 90, labelIds: [], query: null, pageSize: 100 } });
    expect(gmailConfigOf({ oauthAccountId: ACCOUNT, backfillDays: 7, labelIds: ['INBOX', 'INBOX', 'Label_3'], query: ' from:acme.example ' })).toMatchObject({ ok: true, value: { backfillDays: 7, labelIds: ['INBOX', 'Label_3'], query: 'from:acme.example' } });
    const bad = gmailConfigOf({ oauthAccountId: 'mine', backfillDays: 0, labelIds: 'INBOX', pageSize: 1000 });
    expect(bad.ok === false && bad.errors.map((e) => e.field)).toEqual(['config.oauthAccountId', 'config.backfillDays', 'config.labelIds', 'config.pageSize']);
  });

  it('builds the backfill query and tells which messages the source syncs', () => {
    expect(backfillQuery({ query: null }, 1767225600)).toBe('after:1767225600');
    expect(backfillQuery({ query: 'from:acme.example' }, 5)).toBe('from:acme.example after:5');
    expect(wanted(['INBOX'], { labelIds: [] })).toBe(true);
    expect(wanted(['DRAFT'], { labelIds: [] })).toBe(false);
    expect(wanted(['SPAM', 'INBOX'], { labelIds: [] })).toBe(false);
    expect(wanted(['SENT'], { labelIds: ['INBOX'] })).toBe(false);
    expect(wanted(['SENT', 'Label_3'], { labelIds: ['INBOX', 'Label_3'] })).toBe(true);
  });

  it('reads Google\'s error reason: quotas are transient, a missing scope is not, other reasons are not repeated', () => {
    const body = (reason: string, details: unknown[] = []) => ({ error: { code: 403, message: 'words', errors: [{ reason, domain: 'usageLimits' }], details } });
    expect(googleReason(403, body('rateLimitExceeded'))).toEqual({ reason: 'rateLimitExceeded', transient: true });
    expect(googleReason(403, body('userRateLimitExceeded'))).toEqual({ reason: 'userRateLimitExceeded', transient: true });
    expect(googleReason(403, body('dailyLimitExceeded'))).toEqual({ reason: 'dailyLimitExceeded', transient: false });
    expect(googleReason(403, body('insufficientPermissions'))).toEqual({ reason: 'insufficientPermissions', transient: false });
    expect(googleReason(403, { error: { details: [{ reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' }] } })).toEqual({ reason: 'insufficientPermissions', transient: false });
    expect(googleReason(403, body('<script>alert(1)</script>'))).toBeNull();
    expect(googleReason(500, null)).toBeNull();
  });
});
