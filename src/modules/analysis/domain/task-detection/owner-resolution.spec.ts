import { handleOfMention, resolveEmail, resolveHandle, resolveName, resolvePerson, WorkspaceMember } from './owner-resolution';

const members: WorkspaceMember[] = [
  { id: 'm-ana', name: 'Ana Souza', handles: ['ana', 'U024ANA'], emails: ['ana@acme.example'] },
  { id: 'm-ines', name: 'Inês Costa', handles: ['ines'], emails: ['ines@acme.example'] },
  { id: 'm-sam-k', name: 'Sam Kim', handles: ['samk'], emails: ['sam.kim@acme.example'] },
  { id: 'm-sam-o', name: 'Sam Okafor', handles: ['samo'], emails: ['sam.okafor@acme.example'] },
];

describe('owner resolution: only members, never a guess', () => {
  it('a mention by handle, in any case, and a Slack user-id mention', () => {
    expect(resolveHandle('@ana', members)).toBe('m-ana');
    expect(resolveHandle('@ANA,', members)).toBe('m-ana');
    expect(resolveHandle('<@U024ANA>', members)).toBe('m-ana');
    expect(handleOfMention('<@U024ANA|ana>')).toBe('U024ANA');
  });

  it('an email address, a full name, a first name only one member has, accents folded', () => {
    expect(resolveEmail('Ana@Acme.example', members)).toBe('m-ana');
    expect(resolveName('Ana Souza', members)).toBe('m-ana');
    expect(resolveName('ana', members)).toBe('m-ana');
    expect(resolveName('Ines', members)).toBe('m-ines');
    expect(resolveName('Inês', members)).toBe('m-ines');
  });

  it('a first name two members share is nobody in particular; the full name still resolves', () => {
    expect(resolveName('Sam', members)).toBeNull();
    expect(resolveName('Sam Okafor', members)).toBe('m-sam-o');
  });

  it('someone who is not a member resolves to no one', () => {
    expect(resolveHandle('@kevin', members)).toBeNull();
    expect(resolveName('Kevin', members)).toBeNull();
    expect(resolveName('Ana Smith', members)).toBeNull();
    expect(resolveEmail('kevin@acme.example', members)).toBeNull();
    expect(resolveHandle('@', members)).toBeNull();
  });

  it('a message author: member id first, then email, handle and name', () => {
    expect(resolvePerson({ memberId: 'm-ines' }, members)).toBe('m-ines');
    expect(resolvePerson({ memberId: 'm-gone', email: 'ana@acme.example' }, members)).toBe('m-ana');
    expect(resolvePerson({ handle: 'samk', name: 'Sam' }, members)).toBe('m-sam-k');
    expect(resolvePerson({ name: 'Sam' }, members)).toBeNull();
    expect(resolvePerson({ name: 'Customer Support', email: 'help@vendor.example' }, members)).toBeNull();
  });
});
