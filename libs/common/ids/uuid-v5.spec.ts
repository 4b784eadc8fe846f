import { v5 as uuidv5 } from 'uuid';
import { uuidV5 } from './uuid-v5';

/** Any fixed namespace: libs never import a module's (the message one is 6ba7b8xx-shaped too). */
const MESSAGE_NAMESPACE = '0193a5c2-7b1e-5d4f-9a3c-2e8f1b6d4a70';

describe('uuidV5', () => {
  it('gives the uuid package v5 ids, so stored message ids do not change', () => {
    for (const name of ['', 'a', 'src-1\u0000ext-1', 'é🔑 ünïcode \u0000 name', 'x'.repeat(1000), '019a-id:ingested']) {
      expect(uuidV5(name, MESSAGE_NAMESPACE)).toBe(uuidv5(name, MESSAGE_NAMESPACE));
      expect(uuidV5(name, uuidv5.URL)).toBe(uuidv5(name, uuidv5.URL));
    }
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('a', 'not-a-uuid')).toThrow(TypeError);
  });
});
