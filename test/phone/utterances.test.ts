/** What the browser phone speaks aloud from a transcript message: texts in their voice's language; audio and pauses are shown, not spoken. */
import { describe, expect, it } from 'vitest';
import { utterances } from '../../public/phone/utterances.js';

describe('the browser phone\'s utterances', () => {
  it('speaks each text in the language its voice label names, and skips audio and pauses', () => {
    expect(utterances('[en-US female] Welcome. [zh-HK female] 中文服务请按2。 [pause 1s] [audio https://a.example/b.wav] [default] Bye')).toEqual([
      { text: 'Welcome.', lang: 'en-US' },
      { text: '中文服务请按2。', lang: 'zh-HK' },
      { text: 'Bye', lang: '' },
    ]);
  });

  it('a message without voices is one utterance, as written; brackets that are no label are read', () => {
    expect(utterances('Hello Ann, press 1.')).toEqual([{ text: 'Hello Ann, press 1.', lang: '' }]);
    expect(utterances('Code [X] ok')).toEqual([
      { text: 'Code', lang: '' },
      { text: '[X]', lang: '' },
      { text: 'ok', lang: '' },
    ]);
  });
});
