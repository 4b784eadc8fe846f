import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapFathom } from '@modules/ingestion/application/webhooks/fathom.mapper';
import { fromAction } from './sync-runner';

const webhook = JSON.parse(readFileSync(join(process.cwd(), 'test/support/fixtures/webhooks/fathom-new-meeting-content-ready.json'), 'utf8'));

describe('Fathom pull mapping', () => {
  it('a listed meeting without its transcript yet is skipped with the reason, not an error', () => {
    const { transcript: _t, default_summary: _s, action_items: _a, ...bare } = webhook;
    expect(mapFathom(bare).actions.map(fromAction)).toEqual([{ kind: 'skipped', reason: expect.stringContaining('without transcript or summary') }]);
  });
});
