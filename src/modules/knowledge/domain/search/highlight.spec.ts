import { HEADLINE_START as S, HEADLINE_STOP as E, leadSnippet, markHeadline } from './highlight';

describe('markHeadline', () => {
  it('marks the matches and escapes everything the message itself wrote', () => {
    expect(markHeadline(`the ${S}export${E} <script>alert("x")</script> & ${S}csv${E}`)).toBe(
      'the <mark>export</mark> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; <mark>csv</mark>',
    );
  });
});

describe('leadSnippet', () => {
  it('keeps short text whole and cuts long text at a word with an ellipsis', () => {
    expect(leadSnippet('  short\n text <b> ')).toBe('short text &lt;b&gt;');
    const long = 'word '.repeat(100);
    const s = leadSnippet(long, 50);
    expect(s.endsWith('word…')).toBe(true);
    expect(s.length).toBeLessThanOrEqual(51);
  });
});
