/**
 * Characters XML 1.0 cannot carry (most C0 controls, lone surrogates, U+FFFE/F):
 * a template fed by a caller or a web service could produce them, and one of
 * them makes a whole document unparseable (Twilio error 12100, a broken JUnit file).
 */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text without what XML 1.0 cannot carry. */
export function xmlCarryable(text: string): string {
  return text.replace(NOT_XML, '');
}

/** Text for an XML document whatever it holds: what XML 1.0 cannot carry dropped, the rest escaped. */
export function xmlText(text: string): string {
  // Most texts (prompts) need nothing done, and URLs only their `&`s: one test instead of five replaces.
  if (NOTHING_TO_DO.test(text)) return text;
  if (AMPERSANDS_ONLY.test(text)) return text.replace(/&/g, '&amp;');
  return xmlEscape(xmlCarryable(text));
}

/** No character to escape and none that XML 1.0 might not carry (controls, surrogates, U+FFFE/F). */
const NOTHING_TO_DO = /^[^&<>"\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]*$/;
/** As NOTHING_TO_DO, but `&` allowed: a URL with a query string. */
const AMPERSANDS_ONLY = /^[^<>"\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]*$/;

/** Escapes text for XML element content and double-quoted attribute values. */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The five predefined XML entities (and numeric references) decoded: what an author's markup means as text. */
export function xmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (whole: string, name: string) => {
    switch (name) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default: {
        const code = name.startsWith('#x') ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
    }
  });
}
