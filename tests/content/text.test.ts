import { describe, expect, it } from 'vitest';
import { repairMojibake, toPlainText } from '../../src/content/text.js';

describe('toPlainText and repairMojibake', () => {
  it("should repair the seed excerpt's promptâ€¦ to prompt…", () => {
    // The excerpt of seed/2022-05-06-dall-e-2-why-the-ai-image-generator-is-a-revolutionary-invention.md.
    const seed =
      'A piece of software is able to generate detailed images from just a short, worded promptâ€¦ but it comes with obvious issues.';
    const repaired =
      'A piece of software is able to generate detailed images from just a short, worded prompt… but it comes with obvious issues.';

    expect(toPlainText(seed)).toBe(repaired);
    expect(repairMojibake(seed)).toBe(repaired);
    expect(repairMojibake('promptâ€¦')).toBe('prompt\u2026');
  });

  it('should repair other common Windows-1252 mojibake runs', () => {
    expect(repairMojibake('donâ€™t')).toBe('don’t');
    expect(repairMojibake('Ã©tÃ©')).toBe('été');
    expect(repairMojibake('â€œquotedâ€\u009d')).toBe('“quoted”');
  });

  it('should decode &amp;, &nbsp; and &#038;', () => {
    expect(toPlainText('Q&amp;A')).toBe('Q&A');
    expect(toPlainText('AI&nbsp;news')).toBe('AI\u00A0news');
    expect(toPlainText('R&#038;D spending')).toBe('R&D spending');
    expect(toPlainText('Tom &amp; Jerry&nbsp;&#038; friends')).toBe('Tom & Jerry\u00A0& friends');
  });

  it.each([
    'café',
    'Zürich',
    'naïve',
    '—',
    '“quotes”',
    'AT&T',
    'R&D',
    '🤖',
    '人工知能',
    'Fuß“',
    'Beyoncé’s café — a naïve “Zürich” story by AT&T and R&D 🤖 人工知能',
  ])('should leave valid text %j unchanged', (text) => {
    expect(toPlainText(text)).toBe(text);
    expect(repairMojibake(text)).toBe(text);
  });

  // Known src bug (reported): a lead character Â-ô followed by Windows-1252 "continuation" characters
  // that happen to form valid UTF-8 is "repaired" although the text was fine.
  it('should leave French text with a no-break space before » unchanged', () => {
    const text = 'Le « café\u00A0» ouvre';
    expect(toPlainText(text)).toBe(text);
    expect(toPlainText('Le «&nbsp;café&nbsp;» ouvre')).toBe('Le «\u00A0café\u00A0» ouvre');
  });

  it('should leave an upper-case accented letter before a curly apostrophe unchanged', () => {
    expect(toPlainText('PELÉ’S LEGACY')).toBe('PELÉ’S LEGACY');
  });
});
