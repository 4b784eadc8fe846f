import { expectLinear } from '@test/support/linearity';
import { parseMailDate, postmarkDate, receivedDate, resolveSentAt } from './mail-date';

describe('parseMailDate: dates as real mail writes them (issue 12)', () => {
  // Date headers of the SpamAssassin public corpus (2002), as written, with the instant a reader shows.
  it.each([
    ['Thu, 22 Aug 2002 18:26:25 +0700', '2002-08-22T11:26:25.000Z'],
    ['Thu, 22 Aug 2002 07:36:16 -0400 (EDT)', '2002-08-22T11:36:16.000Z'],
    ['Thu, 22 Aug 2002 12:36:16 +0100 (IST)', '2002-08-22T11:36:16.000Z'],
    ['Sat, 10 Aug 2002 05:47:31 +1000 (EST)', '2002-08-09T19:47:31.000Z'],
    ['08 Oct 2002 17:30:36 +0100', '2002-10-08T16:30:36.000Z'],
    // A broken mail client's 2002, read as the 3-digit year 102 (RFC 5322 4.3).
    ['Fri, 07 Jun 0102 08:46:41 +0900', '2002-06-06T23:46:41.000Z'],
    ['Tue, 03 Dec 0102 17:08:50 +1100', '2002-12-03T06:08:50.000Z'],
    ['Sat, 02 Feb 0102 11:39:51 +0200', '2002-02-02T09:39:51.000Z'],
    // Two signs: the last one counts.
    ['Tue, 17 Sep 2002 11:59:30 +-0500', '2002-09-17T16:59:30.000Z'],
    ['Tue, 3 Dec 2002 11:51:12 +-0700', '2002-12-03T18:51:12.000Z'],
    ['Sat, 8 Jun 2002 1:5:13 +-0500', '2002-06-08T06:05:13.000Z'],
    ['Thu, 18 Jul 2002 14:57:14 +-0800 MSG_ID_ADDED_BY_MTA_3,MISSING_MIMEOLE,FORGED_RCVD_TRAIL,AWL version=2.40', '2002-07-18T22:57:14.000Z'],
    ['Fri, 19 Jul 2002 09:42:07 -0400 AWL version=2.40', '2002-07-19T13:42:07.000Z'],
    ['Thu, 18 Jul 2002 21:16:12 version=2.40', '2002-07-18T21:16:12.000Z'],
    // Windows zone names where the offset goes.
    ['Sun, 26 May 2002 20:43:57 Eastern Daylight Time', '2002-05-27T00:43:57.000Z'],
    ['Fri, 30 Aug 02 21:48:08 Eastern Daylight Time', '2002-08-31T01:48:08.000Z'],
    ['Tue, 28 May 02 01:25:09 GMT Daylight Time', '2002-05-28T00:25:09.000Z'],
    ['Sat, 21 Sep 02 05:01:06 Greenwich Standard Time', '2002-09-21T05:01:06.000Z'],
    ['Sat, 13 Apr 02 18:49:02 Arabian Standard Time', '2002-04-13T14:49:02.000Z'],
    ['Mon, 22 Jul 2002 12:37:15 US Mountain Standard Time', '2002-07-22T19:37:15.000Z'],
    // Other orders.
    ['2002/09/14 Sat 02:29:32 CDT', '2002-09-14T07:29:32.000Z'],
    ['2002/09/14 Sat 13:06:03 GMT', '2002-09-14T13:06:03.000Z'],
    ['Sat Sep 21 08:18:08 2002', '2002-09-21T08:18:08.000Z'],
    // Odd zones.
    ['Fri, 02 Aug 2002 23:37:59 0530', '2002-08-02T18:07:59.000Z'],
    ['Mon, 16 Sep 2002 13:12:50 GMT+1', '2002-09-16T12:12:50.000Z'],
    ['Mon, 16 Sep 2002 03:27:38 (GMT)', '2002-09-16T03:27:38.000Z'],
    ['Wed, 21 Aug 2002 20:31:57 -1600', '2002-08-22T12:31:57.000Z'],
    ['Tue, 23 Jul 2002 22:11:25 UT', '2002-07-23T22:11:25.000Z'],
    ['Wed, 18 Sep 2002 11:43:02 PST', '2002-09-18T19:43:02.000Z'],
    ['Wed, 24 Jul 2002 09:08:12 EDT', '2002-07-24T13:08:12.000Z'],
    ['Sat, 18 May 02 03:06:12 EST', '2002-05-18T08:06:12.000Z'],
    ['Fri, 29 Jun 01 01:03:58 EST', '2001-06-29T06:03:58.000Z'],
    ['22 Sep 02 15:51:31 -0000', '2002-09-22T15:51:31.000Z'],
    ['Wed, 24 Jul 2002 20:22:51 -0500 (added by postmaster@emailcluster.terra.com.mx)', '2002-07-25T01:22:51.000Z'],
    ['Tue, 31 Jul 2001 23:15:51 +0000 (Eire)', '2001-07-31T23:15:51.000Z'],
    // A zone nobody can read ("01800") and no zone at all: UTC.
    ['Sun, 25 Aug 2002 19:21:44 01800', '2002-08-25T19:21:44.000Z'],
    ['Wed, 4 Jul 2001 18:55:09', '2001-07-04T18:55:09.000Z'],
    // AM/PM, two-digit years, missing seconds, one-digit parts, no space after the comma.
    ['Tue, 06 Aug 2002 06:50:21 PM -0400', '2002-08-06T22:50:21.000Z'],
    ['31 May 02 1:28:53 PM', '2002-05-31T13:28:53.000Z'],
    ['03 Jul 01 12:47:50 AM', '2001-07-03T00:47:50.000Z'],
    ['Wed, 28 Aug 2002 18:48 -0400', '2002-08-28T22:48:00.000Z'],
    ['Mon, 2 Dec 2002 15:51 -0800', '2002-12-02T23:51:00.000Z'],
    ['Wed, 29 May 2002 16:54:6 +0300', '2002-05-29T13:54:06.000Z'],
    ['Tue, 20 Aug 2002 9:39:22 +0100', '2002-08-20T08:39:22.000Z'],
    ['Wed,29 May 2002 17:55:32 +0800', '2002-05-29T09:55:32.000Z'],
    ['Wed, 30 Jul 1980 18:25:49', '1980-07-30T18:25:49.000Z'],
  ])('reads the corpus form %j', (text, iso) => {
    expect(parseMailDate(text)).toBe(iso);
  });

  it.each([
    // Obsolete years (RFC 5322 4.3): 00-49 -> 20xx, 50-99 -> 19xx, 3 digits + 1900.
    ['14 Sep 49 02:29:32 +0000', '2049-09-14T02:29:32.000Z'],
    ['14 Sep 70 02:29:32 +0000', '1970-09-14T02:29:32.000Z'],
    ['14 Sep 102 02:29:32 +0000', '2002-09-14T02:29:32.000Z'],
    // Folding whitespace, comments anywhere, nested ones, no day name, full and shouting month names.
    ['Sat,\r\n\t14 Sep\r\n 2002 02:29:32\r\n    -0500 (CDT)', '2002-09-14T07:29:32.000Z'],
    ['Sat (day) , 14 (x (nested) y) Sep 2002 02:29:32 +0200 (CEST)', '2002-09-14T00:29:32.000Z'],
    ['14 SEPTEMBER 2002 02:29:32 +0000', '2002-09-14T02:29:32.000Z'],
    ['Saturday, 14 september 2002 02:29 GMT', '2002-09-14T02:29:00.000Z'],
    ['14 Sept 2002 02:29:32 Z', '2002-09-14T02:29:32.000Z'],
    // Named zones.
    ['14 Sep 2002 02:29:32 BST', '2002-09-14T01:29:32.000Z'],
    ['14 Sep 2002 02:29:32 CEST', '2002-09-14T00:29:32.000Z'],
    ['14 Sep 2002 02:29:32 MET', '2002-09-14T01:29:32.000Z'],
    ['14 Sep 2002 02:29:32 EEST', '2002-09-13T23:29:32.000Z'],
    ['14 Sep 2002 02:29:32 JST', '2002-09-13T17:29:32.000Z'],
    ['14 Sep 2002 02:29:32 AEST', '2002-09-13T16:29:32.000Z'],
    ['14 Sep 2002 02:29:32 ACST', '2002-09-13T16:59:32.000Z'],
    ['14 Sep 2002 02:29:32 NZDT', '2002-09-13T13:29:32.000Z'],
    ['14 Sep 2002 02:29:32 HST', '2002-09-14T12:29:32.000Z'],
    ['14 Sep 2002 02:29:32 AKDT', '2002-09-14T10:29:32.000Z'],
    ['14 Sep 2002 02:29:32 MDT', '2002-09-14T08:29:32.000Z'],
    ['14 Sep 2002 02:29:32 Pacific Standard Time', '2002-09-14T10:29:32.000Z'],
    ['14 Sep 2002 02:29:32 Central European Summer Time', '2002-09-14T00:29:32.000Z'],
    ['14 Sep 2002 02:29:32 GMT Standard Time', '2002-09-14T02:29:32.000Z'],
    ['14 Sep 2002 02:29:32 E. Europe Standard Time', '2002-09-14T00:29:32.000Z'],
    ['14 Sep 2002 02:29:32 India Standard Time', '2002-09-13T20:59:32.000Z'],
    // Military letters mean -0000 (RFC 5322 4.3), whatever RFC 822 said.
    ['14 Sep 2002 02:29:32 A', '2002-09-14T02:29:32.000Z'],
    ['14 Sep 2002 02:29:32 Y', '2002-09-14T02:29:32.000Z'],
    // Malformed numeric zones.
    ['14 Sep 2002 02:29:32 +5', '2002-09-13T21:29:32.000Z'],
    ['14 Sep 2002 02:29:32 -05:00', '2002-09-14T07:29:32.000Z'],
    ['14 Sep 2002 02:29:32 GMT+0100', '2002-09-14T01:29:32.000Z'],
    ['14 Sep 2002 02:29:32 UTC-3', '2002-09-14T05:29:32.000Z'],
    ['14 Sep 2002 02:29:32 (GMT+01:00) Amsterdam', '2002-09-14T01:29:32.000Z'],
    // Other orders and formats.
    ['Sat Sep 14 02:29:32 CDT 2002', '2002-09-14T07:29:32.000Z'],
    ['14-Sep-2002 02:29:32', '2002-09-14T02:29:32.000Z'],
    ['2002-09-14T02:29:32Z', '2002-09-14T02:29:32.000Z'],
    ['2002-09-14T02:29:32.123456+02:00', '2002-09-14T00:29:32.123Z'],
    ['2002-09-14 02:29:32', '2002-09-14T02:29:32.000Z'],
    ['Sep 14, 2002 2:29:32 PM', '2002-09-14T14:29:32.000Z'],
    ['September 14th, 2002 2:29 p.m. EDT', '2002-09-14T18:29:00.000Z'],
    ['14 Sep 2002', '2002-09-14T00:00:00.000Z'],
    // Calendar edges that are real.
    ['29 Feb 2004 12:00:00 +0000', '2004-02-29T12:00:00.000Z'],
    ['31 Dec 2002 24:00:00 +0000', '2003-01-01T00:00:00.000Z'],
    ['30 Jun 2002 23:59:60 +0000', '2002-06-30T23:59:59.000Z'],
  ])('reads %j', (text, iso) => {
    expect(parseMailDate(text)).toBe(iso);
  });

  it.each([
    ['31 Feb 2002 10:00:00 +0000'],
    ['29 Feb 2001 10:00:00 +0000'],
    ['31 Apr 2002 10:00:00 +0000'],
    ['0 Apr 2002 10:00:00 +0000'],
    ['2002-13-01 10:00:00'],
    ['2002-00-10'],
    ['14 Sep 2002 25:00:00 +0000'],
    ['14 Sep 2002 24:00:01 +0000'],
    ['14 Sep 2002 12:60:00 +0000'],
    ['14 Sep 2002 12:00:61 +0000'],
    ['14 Sep 2002 123:00:00 +0000'],
  ])('refuses the calendar error %j', (text) => {
    expect(parseMailDate(text)).toBeNull();
  });

  it.each([
    // Outside 1970..2200: callers fall back.
    ['Thu, 01 Jan 1970 00:00:00 +0100'],
    ['31 Dec 1969 23:59:59 +0000'],
    ['1 Jan 2201 00:00:00 +0000'],
    ['14 Sep 0002 02:29:32 +0000'],
    // Not dates.
    [''],
    ['   '],
    ['Not supplied'],
    ['sometime'],
    ['02:29:32'],
    ['14 Sep 02:29:32 +0000'],
    ['1 2 3'],
    ['Sep 2002'],
    ['(Tue, 14 Sep 2002 02:29:32 +0000)'],
    ['((((((' ],
    ['¬P´Á¤G, 27 ¤K¤ë 2002 01:50:37 -0700 (EDT)'],
  ])('returns null for %j', (text) => {
    expect(parseMailDate(text)).toBeNull();
  });

  it('never throws, whatever it is given', () => {
    const hostile: unknown[] = [
      undefined, null, 42, {}, ' '.repeat(10_000), '('.repeat(10_000), ')'.repeat(10_000), '\\'.repeat(10_001),
      '+-'.repeat(5_000), '9'.repeat(10_000), 'Mon, '.repeat(2_000), ':'.repeat(10_000), '1:'.repeat(5_000),
      `${' '.repeat(10_000)}14 Sep 2002 02:29:32 +0000`, '\u0000\uffff\ud800',
    ];
    for (const input of hostile) expect(() => parseMailDate(input as string)).not.toThrow();
    expect(parseMailDate(' '.repeat(10_000))).toBeNull();
    expect(parseMailDate('('.repeat(10_000))).toBeNull();
    // A real date followed by a long tail of junk is still read: only the first 200 characters count.
    expect(parseMailDate(`Sat, 14 Sep 2002 02:29:32 -0500 ${'x'.repeat(100_000)}`)).toBe('2002-09-14T07:29:32.000Z');
  });

  it.each([
    ['spaces', (n: number) => ' '.repeat(n)],
    ['open parentheses', (n: number) => '('.repeat(n)],
    ['date-like junk', (n: number) => '1:2 +-'.repeat(n / 6)],
    ['spaces then a date', (n: number) => `${' '.repeat(n)}14 Sep 2002 02:29:32 +0000`],
  ])('reads a long run of %s in linear time', async (_name, make) => {
    await expectLinear(parseMailDate, make, { n: 256 * 1024 });
  });
});

describe('receivedDate', () => {
  // Received values of the corpus, newest first, folded as the MTAs wrote them.
  const received = [
    'from localhost (localhost [127.0.0.1])\n\tby phobos.labs.netnoteinc.com (Postfix) with ESMTP id D03E543C36\n\tfor <zzzz@localhost>; Thu, 22 Aug 2002 07:36:16 -0400 (EDT)',
    'from phobos [127.0.0.1]\n\tby localhost with IMAP (fetchmail-5.9.0)\n\tfor zzzz@localhost (single-drop); Thu, 22 Aug 2002 12:36:16 +0100 (IST)',
    'from listman.spamassassin.taint.org (localhost.localdomain [127.0.0.1]) by\n    listman.redhat.com (Postfix) with ESMTP id 8386540858; Thu, 22 Aug 2002\n    07:35:02 -0400 (EDT)',
  ];

  it('takes the date after the last ";" of the newest Received that has one', () => {
    expect(receivedDate(received)).toBe('2002-08-22T11:36:16.000Z');
    expect(receivedDate(received.slice(2))).toBe('2002-08-22T11:35:02.000Z');
  });

  it('skips Received headers without a readable date', () => {
    const unreadable = ['(qmail 1234 invoked by uid 500); id XA00251', 'from x by y with SMTP id 1; ¬P´Á¥|, 18 ¤C¤ë 2002 06:16:37 -0700 (EDT)', 'from nowhere with no date at all'];
    expect(receivedDate([...unreadable, received[1]])).toBe('2002-08-22T11:36:16.000Z');
    expect(receivedDate(unreadable)).toBeNull();
    expect(receivedDate([])).toBeNull();
  });
});

describe('postmarkDate', () => {
  it.each([
    ['From exmh-workers-admin@redhat.com  Thu Aug 22 12:36:23 2002', '2002-08-22T12:36:23.000Z'],
    ['From sender Tue Mar  3 10:00:00 2026', '2026-03-03T10:00:00.000Z'],
    ['From MAILER-DAEMON Tue Mar  3 10:00:00 2026 remote from mail.example', '2026-03-03T10:00:00.000Z'],
    ['From dana@x.example Tue Mar  3 10:00:00 +0100 2026', '2026-03-03T09:00:00.000Z'],
    ['From dana@x.example Tue Mar  3 10:00:00 2026 -0500', '2026-03-03T15:00:00.000Z'],
    ['From - Tue Mar 3 10:00:00 2026', '2026-03-03T10:00:00.000Z'],
    // A spam tool's sender with a space in it (corpus).
    ['From zvfjenphuq@[1086695621] [ufa]  Sun Aug  5 09:51:15 2001', '2001-08-05T09:51:15.000Z'],
  ])('reads %j', (line, iso) => {
    expect(postmarkDate(line)).toBe(iso);
  });

  it('is null for what is not a postmark with a date', () => {
    for (const line of [null, '', 'From ', 'From sender', 'Subject: Tue Mar  3 10:00:00 2026', 'From sender yesterday', `From ${'x '.repeat(50_000)}`]) expect(postmarkDate(line)).toBeNull();
  });
});

describe('resolveSentAt: Date header, then Received, then postmark, then import time', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const received = ['from a by b; Mon, 9 Mar 2026 08:00:00 +0000', 'from c by d; Mon, 9 Mar 2026 07:00:00 +0000'];
  const postmark = 'From dana@x.example Mon Mar  9 09:00:00 2026';

  it('uses the Date header when it is usable', () => {
    expect(resolveSentAt({ date: 'Mon, 9 Mar 2026 06:00:00 -0500', received, postmark, now })).toEqual({ sentAt: '2026-03-09T11:00:00.000Z', sentAtSource: 'date' });
    // Up to two days ahead of the import is a clock a little off, not a broken one.
    expect(resolveSentAt({ date: 'Thu, 12 Mar 2026 11:00:00 +0000', received, now })).toEqual({ sentAt: '2026-03-12T11:00:00.000Z', sentAtSource: 'date' });
  });

  it.each([
    ['unreadable', 'Not supplied'],
    ['missing', null],
    ['before 1970', 'Wed, 31 Dec 1969 10:00:00 +0000'],
    ['more than two days after the import', 'Fri, 13 Mar 2026 12:00:01 +0000'],
  ])('falls back to the newest usable Received when the Date header is %s', (_why, date) => {
    expect(resolveSentAt({ date, received, postmark, now })).toEqual({ sentAt: '2026-03-09T08:00:00.000Z', sentAtSource: 'received' });
  });

  it('skips Received dates that are unreadable or in the future, then the postmark, then the import time', () => {
    const future = 'from x by y; Sun, 1 Jan 2040 00:00:00 +0000';
    expect(resolveSentAt({ date: 'junk', received: [future, 'from x; garbage', received[1]], now })).toEqual({ sentAt: '2026-03-09T07:00:00.000Z', sentAtSource: 'received' });
    expect(resolveSentAt({ date: 'junk', received: [future], postmark, now })).toEqual({ sentAt: '2026-03-09T09:00:00.000Z', sentAtSource: 'postmark' });
    expect(resolveSentAt({ date: 'junk', received: null, postmark: 'From x Sun Jan  1 00:00:00 2040', now })).toEqual({ sentAt: now.toISOString(), sentAtSource: 'import-time' });
    expect(resolveSentAt({ date: undefined, now: '2026-03-10T12:00:00Z' })).toEqual({ sentAt: '2026-03-10T12:00:00.000Z', sentAtSource: 'import-time' });
  });

  it('reads the corpus message whose Date says 0102 as 2002, from the Date header itself', () => {
    const at = resolveSentAt({ date: 'Tue, 03 Dec 0102 17:08:50 +1100', received: ['from x by y; Tue, 3 Dec 2002 06:10:00 +0000'], now });
    expect(at).toEqual({ sentAt: '2002-12-03T06:08:50.000Z', sentAtSource: 'date' });
  });
});
