import { conversationDepth, mapGraphMessage } from './graph-mail.mapper';

const base = {
  id: 'AAMkAGI2TAAA=',
  subject: 'RE: Pricing',
  from: { emailAddress: { name: ' Ana Lima ', address: 'ana@customer.example' } },
  toRecipients: [{ emailAddress: { name: 'Support', address: 'support@vendor.example' } }, { emailAddress: { name: 'Broken', address: 'not-an-address' } }],
  ccRecipients: [{ emailAddress: { name: 'Ben', address: 'ben@customer.example' } }],
  bccRecipients: [{ emailAddress: { name: 'Audit', address: 'audit@vendor.example' } }],
  receivedDateTime: '2026-01-02T10:00:05Z',
  sentDateTime: '2026-01-02T10:00:00Z',
  conversationId: 'AAQkConv=',
  conversationIndex: Buffer.alloc(27, 1).toString('base64'),
  internetMessageId: '<abc@customer.example>',
  body: { contentType: 'html', content: '<html><head><style>p{color:red}</style></head><body><p>Can we get&nbsp;a discount?</p><p>Thanks</p></body></html>' },
  bodyPreview: 'Can we get a discount? Thanks',
  isRead: false,
  isDraft: false,
  importance: 'high',
  flag: { flagStatus: 'flagged' },
  hasAttachments: true,
  categories: ['Customer'],
  parentFolderId: 'AQMkInbox',
};

describe('Graph message -> message (Microsoft 365 pull)', () => {
  it('maps an HTML mail through the email import path, with its thread, addresses and flags', () => {
    const row = mapGraphMessage(base, 'inbox');
    expect(row).toEqual({
      kind: 'message',
      message: expect.objectContaining({
        externalId: 'AAMkAGI2TAAA=',
        content: expect.stringMatching(/^Can we get a discount\?\s+Thanks$/),
        sentAt: '2026-01-02T10:00:00.000Z',
        threadId: 'AAQkConv=',
        isReply: true,
        title: 'RE: Pricing',
        author: { name: 'Ana Lima', email: 'ana@customer.example', externalId: null },
        to: ['support@vendor.example'],
        cc: ['ben@customer.example'],
        metadata: expect.objectContaining({ internetMessageId: '<abc@customer.example>', conversationId: 'AAQkConv=', folder: 'inbox', hasAttachments: true }),
      }),
    });
    if (row.kind !== 'message') throw new Error(row.kind);
    const m = row.message;
    expect(m.content).not.toContain('color:red');
    expect(m.email).toMatchObject({ bcc: ['audit@vendor.example'], labels: ['Customer'], isUnread: true, isImportant: true, isStarred: true, isSent: false, internalDate: '2026-01-02T10:00:05Z' });
    expect(m.email?.bodyHtml).toContain('<p>');
  });

  it('a text body is kept as it is; sent items are sent; the first mail of a thread is not a reply', () => {
    const row = mapGraphMessage({ ...base, body: { contentType: 'text', content: 'Plain words\n' }, conversationIndex: Buffer.alloc(22, 1).toString('base64'), isRead: true }, 'sentitems');
    expect(row).toMatchObject({ kind: 'message', message: { content: 'Plain words', isReply: false, email: { bodyHtml: null, isSent: true, isUnread: false } } });
  });

  it('an empty body falls back to the preview, then the subject; a message without any date is rejected-as-ignored', () => {
    expect(mapGraphMessage({ ...base, body: { contentType: 'html', content: '<p> </p>' }, bodyPreview: 'preview text' }, 'inbox')).toMatchObject({ message: { content: 'preview text' } });
    expect(mapGraphMessage({ ...base, body: null, bodyPreview: '' }, 'inbox')).toMatchObject({ message: { content: 'RE: Pricing', metadata: { contentFromSubject: true } } });
    expect(mapGraphMessage({ id: 'x', body: { contentType: 'text', content: 'hi' } }, 'inbox')).toMatchObject({ kind: 'skipped', reason: expect.stringContaining('sentAt') });
  });

  it('reads the reply depth from the conversationIndex (22-byte header, 5 bytes a reply)', () => {
    expect(conversationDepth(null)).toBe(0);
    expect(conversationDepth(Buffer.alloc(22).toString('base64'))).toBe(0);
    expect(conversationDepth(Buffer.alloc(32).toString('base64'))).toBe(2);
  });
});
