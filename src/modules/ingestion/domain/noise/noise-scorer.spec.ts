import { MessageToken, TokenKind } from './message-token';
import { contentFingerprint, NOISE_THRESHOLDS, NoiseSubject, scoreNoise } from './noise-scorer';

/**
 * The scorer's rules, on tokens from a test double of the MessageTokenizer port (words split by
 * a regular expression, a crude suffix-stripping stem). The same classes through the real wink
 * tokenizer: application/noise-scoring/noise-scoring.wink.spec.ts.
 */
const STOP = new Set(['the', 'a', 'an', 'is', 'are', 'it', 'to', 'of', 'and', 'i', 'you', 'we', 'on', 'in', 'for', 'with', 'this', 'that', 'my', 'our', 'can', 'be', 'not', 'do', 'does', 'was', 'at', 'me', 'get', 'there', 'any', 'all', 'your', 'u']);
const PATTERN = /(https?:\/\/\S+)|([\w.+-]+@[\w-]+\.[\w.]+)|(@\w+)|(#\w+)|(\d+(?:\.\d+)*)|([\p{L}']+)|(\p{Extended_Pictographic})|(\S)/gu;

function tokens(text: string, options: { english?: boolean } = {}): MessageToken[] {
  const out: MessageToken[] = [];
  for (const m of text.matchAll(PATTERN)) {
    const kinds: TokenKind[] = ['url', 'email', 'mention', 'hashtag', 'number', 'word', 'emoji', 'punctuation'];
    const kind = kinds[m.slice(1).findIndex((g) => g !== undefined)];
    const value = m[0];
    const normal = value.toLowerCase();
    const stem = kind === 'word' && normal.length > 4 ? normal.replace(/(ing|ed|es|s|e)$/, '') : normal;
    out.push({ value, normal, stem, kind: kind === 'punctuation' && !/[\p{P}]/u.test(value) ? 'symbol' : kind, stopWord: STOP.has(normal), known: kind === 'word' && options.english !== false });
  }
  return out;
}

const person: NoiseSubject = { author: { name: 'Dana Scully', email: 'dana@fbi.example' }, metadata: {} };
const neverSeen = () => false;
const score = (text: string, subject: NoiseSubject = person, options: { english?: boolean } = {}) => scoreNoise(subject, tokens(text, options), neverSeen);

const BUG_REPORT =
  'When I click export on the reports page the app crashes with a 500 error. Steps: open any report, pick the last 30 days, click export. ' +
  'Expected a file, got a blank page. It started after the release yesterday and blocks our finance team. Can you look at it?';

describe('noise scorer', () => {
  it("takes the mail system's own spam verdict (metadata.spamVerdict) as spam, whatever the words", () => {
    expect(score(BUG_REPORT, { ...person, metadata: { spamVerdict: 'spam' } })).toEqual(expect.objectContaining({ classification: 'spam', factors: expect.objectContaining({ spam: 1 }) }));
    expect(score(BUG_REPORT).classification).not.toBe('spam');
  });

  describe('noise', () => {
    it.each(['Hi team!', 'Thanks!!', 'ok', 'Good morning everyone 👋', 'thank you so much', 'lol', 'Danke!', 'merci beaucoup', 'cheers mate'])('a greeting or thanks only (%p)', (text) => {
      const s = score(text);
      expect(s.factors.greetingOrThanksOnly).toBe(1);
      expect(s.classification).toBe('noise');
      expect(s.importance).toBeLessThan(0.1);
    });

    it('a bot: Slack bot_message, a bot_id, a bot-like name, a no-reply mailbox', () => {
      const deploy = 'Deployed version 2.3.1 to production, all checks passed';
      expect(score(deploy, { author: { name: 'Release', email: null }, metadata: { subtype: 'bot_message' } }).factors.botAuthor).toBe(1);
      expect(score(deploy, { author: { name: 'Release', email: null }, metadata: { bot_id: 'B123' } }).factors.botAuthor).toBe(1);
      expect(score(deploy, { author: { name: 'Deploy Bot', email: null }, metadata: {} }).factors.botAuthor).toBe(0.9);
      expect(score(deploy, { author: { name: 'Acme', email: 'no-reply@acme.example' }, metadata: {} }).factors.botAuthor).toBe(0.8);
      expect(score(deploy, { author: { name: 'Abbott', email: 'abbott@acme.example' }, metadata: {} }).factors.botAuthor).toBe(0);
      expect(score(deploy, { author: { name: 'GitHub', email: null }, metadata: {} }).classification).toBe('noise');
      // A Slack app posts with a bot id and no subtype: the export keeps it as metadata.bot.
      expect(score(deploy, { author: { name: 'Release', email: null }, metadata: { bot: { id: 'B9', name: 'Release' } } }).factors.botAuthor).toBe(1);
    });

    it('a person who shares an integration\'s name is no bot', () => {
      const text = 'I moved the staging database to the new cluster, please re-run your migrations';
      expect(score(text, { author: { name: 'Mary Jenkins', email: 'mary@acme.example' }, metadata: {} }).factors.botAuthor).toBe(0);
      expect(score(text, { author: { name: 'Jenkins', email: null }, metadata: {} }).factors.botAuthor).toBe(0.9);
      expect(score(text, { author: { name: 'renovate[bot]', email: null }, metadata: {} }).factors.botAuthor).toBe(0.9);
    });

    it('a no-reply mailbox: a short notification is noise, a long newsletter from one stays in analysis', () => {
      const noReply = { author: { name: 'Acme', email: 'news-noreply@acme.example' }, metadata: {} };
      expect(score('Your export is ready to download, the link expires in 30 days', noReply).classification).toBe('noise');
      const newsletter = score(`${BUG_REPORT} ${BUG_REPORT}`, noReply);
      expect(newsletter.factors.botAuthor).toBe(0.8);
      expect(newsletter.classification).toBe('low_quality');
      const bounce = score('Your message could not be delivered to dana@fbi.example: mailbox unavailable', { author: { name: 'Mail Delivery System', email: 'MAILER-DAEMON@mx.acme.example' }, metadata: {} });
      expect(bounce.classification).toBe('noise');
      // RFC 3834 Auto-Submitted, when the email reader passes it on.
      const auto = (autoSubmitted: string) => score('Your export is ready to download', { author: { name: 'Acme', email: 'team@acme.example' }, metadata: { autoSubmitted } }).classification;
      expect(auto('auto-generated')).toBe('noise');
      expect(auto('no')).not.toBe('noise');
    });

    it('links only, emoji only, and no content at all', () => {
      expect(score('https://github.com/acme/app/pull/42')).toEqual(expect.objectContaining({ classification: 'noise', factors: expect.objectContaining({ linksOnly: 1 }) }));
      expect(score('fyi https://status.acme.example/incidents/7').factors.linksOnly).toBe(1);
      expect(score('see https://x.example the export still fails for the finance team').factors.linksOnly).toBeLessThan(NOISE_THRESHOLDS.noise.linksOnly);
      expect(score('👍🎉')).toEqual(expect.objectContaining({ classification: 'noise', factors: expect.objectContaining({ emojiOnly: 1 }) }));
      expect(score('...').classification).toBe('noise');
      expect(score('', { ...person, metadata: { attachments: [{ name: 'screenshot.png' }] } }).classification).toBe('low_quality');
    });

    it('a duplicate: the caller says this content was seen recently', () => {
      const s = scoreNoise(person, tokens(BUG_REPORT), (fp) => fp === contentFingerprint(tokens(BUG_REPORT)));
      expect(s.factors.duplicate).toBe(1);
      expect(s.classification).toBe('noise');
      expect(score(BUG_REPORT).factors.duplicate).toBe(0);
    });
  });

  describe('spam', () => {
    it('promotion cues with a link and shouting', () => {
      const s = score('FREE crypto GIVEAWAY!!! Click here to claim your prize: https://bit.ly/xyz');
      expect(s.classification).toBe('spam');
      expect(s.factors.spam).toBeGreaterThanOrEqual(NOISE_THRESHOLDS.spam);
    });

    it('one promotional word in a real question is not spam', () => {
      const s = score('Is the free plan limited to 3 seats?');
      expect(s.factors.spam).toBeLessThan(NOISE_THRESHOLDS.selling);
      expect(s.classification).toBe('signal');
    });

    const PITCH =
      'Make money fast from home! Earn up to $5,000 per week with our proven system. No experience needed, 100% guaranteed. ' +
      'Click here to order now: https://cash-system.example/join To be removed from our mailing list reply with REMOVE.';

    it('unsolicited selling with the phrases of bulk senders is spam', () => {
      const s = score(PITCH, { author: { name: 'Opportunity', email: 'bizopp4u@hotmail.com' }, metadata: {} });
      expect(s.classification).toBe('spam');
      expect(s.factors.spam).toBe(1);
      expect(s.importance).toBeLessThan(NOISE_THRESHOLDS.signal);
    });

    it('a reply in a conversation is never spam, even quoting a pitch', () => {
      const s = score(`Did anyone else get this? ${PITCH}`, { author: { name: 'Dana Scully', email: 'dana@fbi.example' }, metadata: { inReplyTo: 'abc@fbi.example' } });
      expect(s.factors.spam).toBeLessThan(NOISE_THRESHOLDS.spam);
      expect(s.classification).not.toBe('spam');
    });

    it('selling that is not sure enough for spam stays in analysis as low_quality', () => {
      // A retailer's newsletter: prices, a discount, links to its own site.
      const newsletter =
        'Summer sale: save up to 40% on bikes and running shoes. The Trail 2 is now $499 (was $650), the Road Pro $899. ' +
        'Free shipping on orders over $50. Shop now at https://www.bikeshop.example/sale or visit a store near you. ' +
        'To unsubscribe from these emails visit https://www.bikeshop.example/preferences';
      const s = score(newsletter, { author: { name: 'Bike Shop', email: 'news@bikeshop.example' }, metadata: {} });
      expect(s.factors.spam).toBeGreaterThanOrEqual(NOISE_THRESHOLDS.selling);
      expect(s.factors.spam).toBeLessThan(NOISE_THRESHOLDS.spam);
      expect(s.classification).toBe('low_quality');
      expect(s.importance).toBeLessThan(NOISE_THRESHOLDS.signal);
    });

    it('the same selling counts more from a free mailbox and with hidden links, less with links to the sender\'s own site', () => {
      const offer = 'Special offer: save up to 50% on printer ink, lowest prices guaranteed. Order today and get a free gift. Details at';
      const from = (email: string, link: string) => score(`${offer} ${link}`, { author: { name: 'Ink Deals', email }, metadata: {} }).factors.spam;
      const brand = from('offers@inkdeals.example', 'https://www.inkdeals.example/sale');
      expect(from('inkdeals2002@yahoo.com', 'https://www.inkdeals.example/sale')).toBeGreaterThan(brand);
      expect(from('offers@inkdeals.example', 'https://bit.ly/3xYz')).toBeGreaterThan(brand);
      expect(from('offers@inkdeals.example', 'https://other-site.example/sale')).toBeGreaterThan(brand);
    });

    it('capitals and exclamation marks alone are an angry customer, not spam', () => {
      const s = score('THE EXPORT IS BROKEN AGAIN!!! FIX IT NOW!!! WE ARE LOSING CUSTOMERS!!!');
      expect(s.factors.spam).toBe(0);
      expect(s.classification).not.toBe('spam');
    });
  });

  describe('signal and quality', () => {
    it('a detailed bug report is high quality', () => {
      const s = score(BUG_REPORT);
      expect(s.classification).toBe('high_quality');
      expect(s.factors).toEqual(expect.objectContaining({ length: 1, problem: 1, question: 1, language: 1, greetingOrThanksOnly: 0, botAuthor: 0, duplicate: 0 }));
      expect(s.importance).toBeGreaterThanOrEqual(NOISE_THRESHOLDS.highQuality);
    });

    it('a short feature request is signal', () => {
      const s = score('Can we get dark mode?');
      expect(s.classification).toBe('signal');
      expect(s.factors.question).toBe(1);
      expect(s.factors.request).toBeGreaterThan(0);
    });

    it('a short remark without intent is low quality', () => {
      const s = score('The dashboard looks different today');
      expect(s.classification).toBe('low_quality');
      expect(s.importance).toBeLessThan(NOISE_THRESHOLDS.signal);
    });

    it('problem, request and question cues raise importance', () => {
      const plain = score('The export of the quarterly report runs on the new server now');
      const problem = score('The export of the quarterly report fails on the new server now');
      const request = score('We need the export of the quarterly report on the new server now');
      expect(problem.factors.problem).toBeGreaterThan(0);
      expect(request.factors.request).toBeGreaterThan(0);
      expect(problem.importance).toBeGreaterThan(plain.importance);
      expect(request.importance).toBeGreaterThan(plain.importance);
      expect(score('the sync does not work since monday').factors.problem).toBeGreaterThan(0);
    });

    it('shouting lowers importance; another language is flagged and damped, not dropped', () => {
      const calm = score('The export is broken, please fix it now');
      const loud = score('THE EXPORT IS BROKEN, PLEASE FIX IT NOW');
      expect(loud.factors.shouting).toBe(1);
      expect(calm.factors.shouting).toBe(0);
      expect(loud.importance).toBeLessThan(calm.importance);
      const french = score('Bonjour, je voudrais savoir comment exporter mes données', person, { english: false });
      expect(french.factors.language).toBe(0);
      expect(french.classification).not.toBe('noise');
      expect(score(BUG_REPORT, person, { english: false }).importance).toBeLessThan(score(BUG_REPORT).importance);
    });

    it('acronyms and names do not make English look foreign', () => {
      const s = scoreNoise(person, tokens('Our SSO login via Okta fails for Acme users').map((t) => (/^(SSO|Okta|Acme)$/.test(t.value) ? { ...t, known: false } : t)), neverSeen);
      expect(s.factors.language).toBe(1);
    });
  });

  it('keeps every factor and the importance within 0..1, rounded', () => {
    for (const text of [BUG_REPORT.repeat(20), '!!!', 'a', 'FREE FREE FREE FREE $$$ https://x.example !!!!!!', '', 'make money fast financial freedom viagra '.repeat(50)]) {
      const s = score(text);
      for (const v of [...Object.values(s.factors), s.importance]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        expect(Math.round(v * 1000) / 1000).toBe(v);
      }
    }
  });

  it('fingerprints ignore case, punctuation and spacing, not words', () => {
    expect(contentFingerprint(tokens('Export  is BROKEN!!'))).toBe(contentFingerprint(tokens('export is broken.')));
    expect(contentFingerprint(tokens('export is broken'))).not.toBe(contentFingerprint(tokens('export is not broken')));
    expect(contentFingerprint(tokens('?!'))).toBeNull();
  });
});
