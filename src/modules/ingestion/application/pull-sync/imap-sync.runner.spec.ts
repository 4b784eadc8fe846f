import { foldersOf, groupsOfBytes, sinceOf, uidSet } from './imap-sync.runner';

describe('IMAP sync: folders, since, UID sets', () => {
  it('syncs INBOX unless folders are chosen; INBOX in any case is the INBOX; no folder twice', () => {
    expect(foldersOf({})).toEqual(['INBOX']);
    expect(foldersOf({ folders: [] })).toEqual(['INBOX']);
    expect(foldersOf({ folders: ['inbox', ' Archive ', 'INBOX', '', 3] })).toEqual(['INBOX', 'Archive']);
  });

  it('reads since as a date, ignores what is not one', () => {
    expect(sinceOf({ since: '2025-06-01' })?.toISOString()).toBe('2025-06-01T00:00:00.000Z');
    expect(sinceOf({ since: 'last week' })).toBeNull();
    expect(sinceOf({})).toBeNull();
  });

  it('writes ascending UIDs as ranges', () => {
    expect(uidSet([1, 2, 3, 5, 7, 8])).toBe('1:3,5,7:8');
    expect(uidSet([42])).toBe('42');
    expect(uidSet([])).toBe('');
  });

  it('groups a page by bytes so the raw mail held at once stays bounded (a bigger message alone)', () => {
    const sizes = new Map([[1, 4], [2, 4], [3, 4], [4, 20], [5, 1]]);
    expect(groupsOfBytes([1, 2, 3, 4, 5], sizes, 10)).toEqual([[1, 2], [3], [4], [5]]);
    expect(groupsOfBytes([], sizes, 10)).toEqual([]);
  });
});
