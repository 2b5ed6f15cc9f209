/**
 * Deterministic synthetic corpus for the load benchmark: Markdown files with YAML front matter in
 * the shape of the real sample (../shared/corpus/everyday-ai, see its README): same key order,
 * same quoting habits, 1-3 topics, one image, a provider with an optional logo, 2-3 related
 * entries of which about 40% point at another generated article (same webUrl), an opaque
 * `secured` string, and an empty body for most files. Text comes from a syllable-built long-tail
 * vocabulary with Zipf-like frequencies, so titles and excerpts are varied.
 *
 * Same seed and article count -> byte-identical files. Writes only into the directory it is given
 * (the CLI defaults to a fresh temporary directory) and refuses a directory inside the repository.
 *
 *   npx tsx bench/generate.ts --articles 10000 [--out /tmp/x] [--seed 1]
 */
import { mkdtempSync, realpathSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export interface GenerateOptions {
  /** Where to write; created when missing, must be empty. Never inside the repository. */
  readonly directory: string;
  readonly articles: number;
  /** PRNG seed; default 1. */
  readonly seed?: number;
}

export interface GenerateResult {
  readonly files: number;
  readonly bytes: number;
  /** Related entries written, over all files. */
  readonly relatedEntries: number;
  /** Related entries whose webUrl is another generated article's webUrl. */
  readonly relatedResolvable: number;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WRITE_CONCURRENCY = 64;

// ---------------------------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------------------------

/** mulberry32: a small, fast, well-mixed 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** Samples ranks 0..n-1 with weight 1 / (rank + 1 + offset)^exponent (Zipf-Mandelbrot). */
class Zipf {
  private readonly cumulative: Float64Array;
  constructor(n: number, exponent: number, offset = 0) {
    this.cumulative = new Float64Array(n);
    let total = 0;
    for (let rank = 0; rank < n; rank++) {
      total += 1 / (rank + 1 + offset) ** exponent;
      this.cumulative[rank] = total;
    }
  }
  sample(random: Random): number {
    const target = random.next() * this.cumulative[this.cumulative.length - 1]!;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

const ONSETS = [
  'b',
  'c',
  'd',
  'f',
  'g',
  'h',
  'j',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'w',
  'z',
  'br',
  'cr',
  'dr',
  'fl',
  'gr',
  'pl',
  'pr',
  'st',
  'tr',
  'ch',
  'sh',
  'th',
  'qu',
  'sp',
  '',
];
const NUCLEI = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'i', 'o', 'ai', 'ea', 'io', 'ou', 'y'];
const CODAS = ['', '', '', 'n', 'r', 's', 't', 'l', 'm', 'x', 'nd', 'rk', 'st', 'ng', 'ck'];
const RESERVED = new Set(['true', 'false', 'null', 'yes', 'no', 'on', 'off', 'nan', 'inf', 'amp', 'nbsp']);

const FUNCTION_WORDS = [
  'the',
  'of',
  'to',
  'in',
  'for',
  'and',
  'with',
  'on',
  'a',
  'is',
  'as',
  'by',
  'at',
  'from',
  'new',
  'how',
  'AI',
  'its',
  'will',
  'after',
  'can',
  'says',
  'why',
  'what',
  'into',
  'more',
  'than',
  'over',
  'data',
  'model',
  'models',
  'startup',
  'launches',
  'raises',
  'report',
  'study',
  'market',
  'research',
  'learning',
  'machine',
];

const REAL_TOPICS = [
  'AI',
  'AWS AI',
  'Computer Vision',
  'Machine Learning',
  'Natural Language Processing',
  'AI in Autos',
  'Facebook AI',
  'Google AI',
  'Microsoft AI',
  'IBM AI',
  'TensorFlow',
  'Deep Learning',
  'Robotics',
  'AI in Healthcare',
  'AI Ethics',
  'Generative AI',
  'Speech Recognition',
];
const TOPIC_PATTERNS = [
  '{W} AI',
  'AI in {W}',
  '{W} Learning',
  '{W} Robotics',
  '{W} Vision',
  '{W} Analytics',
  '{W} Systems',
  '{W} Computing',
  '{W}',
];
const TLDS = ['com', 'com', 'com', 'com', 'com', 'net', 'org', 'co.uk', 'io', 'news', 'de', 'ai', 'com.au', 'ca', 'in'];
const NAME_SUFFIXES = [' News', ' Times', ' Daily', ' Post', ' Journal', ' Review', ' Blog', ' Insider', ' Wire', ' Tribune', ''];
const SECTIONS = ['news', 'tech', 'technology', 'business', 'story', 'article', 'blog', 'science', 'en'];
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function capitalize(word: string): string {
  return word.length === 0 ? word : word[0]!.toUpperCase() + word.slice(1);
}

class Vocabulary {
  readonly words: string[];
  private readonly wordZipf: Zipf;
  readonly topics: string[];
  readonly topicZipf: Zipf;

  constructor(random: Random, size: number) {
    const seen = new Set<string>();
    this.words = [];
    while (this.words.length < size) {
      const roll = random.next();
      const syllables = roll < 0.2 ? 1 : roll < 0.75 ? 2 : roll < 0.97 ? 3 : 4;
      let word = '';
      for (let index = 0; index < syllables; index++)
        word += random.pick(ONSETS) + random.pick(NUCLEI) + (random.chance(0.4) ? random.pick(CODAS) : '');
      if (word.length < 3 || RESERVED.has(word) || seen.has(word)) continue;
      seen.add(word);
      this.words.push(word);
    }
    this.wordZipf = new Zipf(this.words.length, 1.05, 2);
    const topics = new Set(REAL_TOPICS);
    while (topics.size < 320) {
      topics.add(random.pick(TOPIC_PATTERNS).replace('{W}', capitalize(this.words[random.int(0, 3000)]!)));
    }
    this.topics = [...topics];
    this.topicZipf = new Zipf(this.topics.length, 1.1, 0);
  }

  word(random: Random): string {
    return random.chance(0.28) ? random.pick(FUNCTION_WORDS) : this.words[this.wordZipf.sample(random)]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

function numberToken(random: Random): string {
  switch (random.int(0, 4)) {
    case 0:
      return `$${random.int(2, 900)}M`;
    case 1:
      return `${random.int(2, 99)}%`;
    case 2:
      return String(random.int(2013, 2025));
    case 3:
      return `${random.int(2, 40)}`;
    default:
      return `${random.int(1, 9)}.${random.int(0, 9)} billion`;
  }
}

function makeTitle(random: Random, vocabulary: Vocabulary): string {
  const count = random.int(5, 13);
  const titleCase = random.chance(0.5);
  const colonAt = random.chance(0.15) ? random.int(1, 3) : -1;
  const tokens: string[] = [];
  for (let index = 0; index < count; index++) {
    let token = random.chance(0.07) ? numberToken(random) : vocabulary.word(random);
    if (index === 0 || (titleCase && token.length > 3) || random.chance(0.08)) token = capitalize(token);
    if (random.chance(0.04)) token += '’s';
    if (index === colonAt) token += ':';
    tokens.push(token);
  }
  if (random.chance(0.05) && count > 5) {
    const at = random.int(1, count - 3);
    tokens[at] = `"${tokens[at]}`;
    tokens[at + 1] = `${tokens[at + 1]}"`;
  }
  if (random.chance(0.04) && count > 6) tokens.splice(random.int(2, count - 2), 0, '—');
  if (random.chance(0.02)) tokens.push('&amp;', capitalize(vocabulary.word(random)));
  return tokens.join(' ');
}

function makeSentence(random: Random, vocabulary: Vocabulary): string {
  const count = random.int(7, 20);
  const tokens: string[] = [];
  for (let index = 0; index < count; index++) {
    let token = random.chance(0.03) ? numberToken(random) : vocabulary.word(random);
    if (index === 0 || random.chance(0.06)) token = capitalize(token);
    if (random.chance(0.03)) token += '’s';
    if (index > 1 && index < count - 1 && random.chance(0.07)) token += ',';
    tokens.push(token);
  }
  return `${tokens.join(' ')}.`;
}

function makeExcerpt(random: Random, vocabulary: Vocabulary): string {
  const target = random.int(150, 300);
  let text = '';
  while (text.length < target) text += (text === '' ? '' : ' ') + makeSentence(random, vocabulary);
  if (text.length > 300) {
    const cut = text.lastIndexOf(' ', 294);
    text = `${text.slice(0, cut)}${random.chance(0.5) ? ' ...' : '…'}`;
  }
  if (random.chance(0.1)) text = `"${text.replace(/[\s.…]+$/, '')}," ${vocabulary.word(random)} said.`;
  if (random.chance(0.02)) text = text.replace(' and ', ' &amp; ');
  if (random.chance(0.01)) text = text.replace(' ', '&nbsp;');
  if (random.chance(0.004)) text = text.replace('’', 'â€™').replace('…', 'â€¦');
  return text;
}

function makeBody(random: Random, vocabulary: Vocabulary): string {
  const paragraphs: string[] = [];
  const count = random.int(1, 3);
  for (let index = 0; index < count; index++) {
    let paragraph = '';
    const target = random.int(120, 420);
    while (paragraph.length < target) paragraph += (paragraph === '' ? '' : ' ') + makeSentence(random, vocabulary);
    paragraphs.push(paragraph);
  }
  return paragraphs.join('\n\n');
}

function slugOf(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&amp;/g, '')
    .replace(/[’'"]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.length <= 90 ? slug : slug.slice(0, 90).replace(/-[^-]*$/, '');
}

function base64(random: Random, length: number): string {
  let text = '';
  for (let index = 0; index < length; index++) text += BASE64[Math.floor(random.next() * 64)];
  return text;
}

/** YAML double-quoted scalar. */
function dq(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

// ---------------------------------------------------------------------------------------------
// Model of the corpus
// ---------------------------------------------------------------------------------------------

interface Provider {
  readonly name: string;
  readonly domain: string;
  readonly host: string;
  readonly hasLogo: boolean;
}

interface ImageSpec {
  readonly url: string;
  readonly width: number;
  readonly height: number;
}

interface ArticleSpec {
  readonly path: string;
  /** Archive style (`_archive/_news`): plain URLs, `images[].title`, relative logos, no originalUrl. */
  readonly archive: boolean;
  readonly title: string;
  readonly excerpt: string;
  readonly dateTime: string;
  readonly provider: Provider;
  readonly webUrl: string;
  readonly ampWebUrl: string | null;
  readonly cdnAmpWebUrl: string | null;
  readonly quality: number;
  readonly image: ImageSpec | null;
}

const START = Date.UTC(2013, 0, 1);
const END = Date.UTC(2025, 11, 31);
const DAY = 86_400_000;

function isoSeconds(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function makeProviders(random: Random, vocabulary: Vocabulary, count: number): Provider[] {
  const providers: Provider[] = [];
  const domains = new Set<string>();
  while (providers.length < count) {
    const first = vocabulary.words[random.int(0, 12_000)]!;
    const second = random.chance(0.35) ? vocabulary.words[random.int(0, 12_000)]! : '';
    const joiner = second !== '' && random.chance(0.3) ? '-' : '';
    const domain = `${first}${joiner}${second}.${random.pick(TLDS)}`;
    if (domains.has(domain)) continue;
    domains.add(domain);
    const roll = random.next();
    const name =
      roll < 0.1
        ? domain
        : roll < 0.45
          ? capitalize(first) + (second === '' ? '' : ` ${capitalize(second)}`)
          : `${random.chance(0.2) ? 'The ' : ''}${capitalize(first)}${random.pick(NAME_SUFFIXES)}`;
    const host = random.chance(0.55) ? `www.${domain}` : domain;
    providers.push({ name, domain, host, hasLogo: random.chance(0.35) });
  }
  return providers;
}

function makeImage(random: Random, provider: Provider, time: number, vocabulary: Vocabulary): ImageSpec {
  const date = new Date(time);
  const year = date.getUTCFullYear();
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  let url = `https://${random.pick(['cdn', 'images', 'media', 'static'])}.${provider.domain}/${year}/${month}/${vocabulary.word(random).toLowerCase()}-${base64(random, 8).replace(/[+/]/g, 'x')}.jpg`;
  if (random.chance(0.3)) url += `?w=${random.pick([640, 800, 1024, 1200])}&quality=90`;
  if (random.chance(0.01)) url += '&#038;resize=960,413';
  return { url, width: random.int(300, 2500), height: random.int(200, 1700) };
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

export async function generateCorpus(options: GenerateOptions): Promise<GenerateResult> {
  const { articles } = options;
  if (!Number.isInteger(articles) || articles < 1) throw new Error(`articles must be a positive integer, got ${articles}`);
  const seed = options.seed ?? 1;
  const directory = path.resolve(options.directory);
  await mkdir(directory, { recursive: true });
  const real = realpathSync(directory);
  const relative = path.relative(realpathSync(REPO_ROOT), real);
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
    throw new Error(`refusing to generate inside the repository: ${real}`);
  }
  if ((await readdir(real)).length > 0) throw new Error(`the output directory is not empty: ${real}`);

  const random = new Random(seed);
  const vocabulary = new Vocabulary(new Random(seed ^ 0x5eed), 24_000);
  const providers = makeProviders(new Random(seed ^ 0xface), vocabulary, 3_000);
  const providerZipf = new Zipf(providers.length, 1.0, 3);

  // Pass 1: every article's identity (dates ascending, so neighbours are same-week stories).
  const specs: ArticleSpec[] = [];
  const names = new Set<string>();
  for (let index = 0; index < articles; index++) {
    const u = (index + random.next()) / articles;
    let time = START + Math.floor((END - START) * Math.sqrt(u));
    time -= time % 60_000;
    if (random.chance(0.25)) time += random.int(1, 59) * 1000;
    const dateTime = isoSeconds(time);
    const fileDay = new Date(random.chance(0.1) ? time + DAY : time).toISOString().slice(0, 10);
    const archive = new Date(time).getUTCFullYear() <= 2020;
    const title = makeTitle(random, vocabulary);
    let name = `${fileDay}-${slugOf(title) || 'untitled'}`;
    for (let suffix = 2; names.has(name); suffix++) name = `${fileDay}-${slugOf(title)}-${suffix}`;
    names.add(name);
    const provider = providers[providerZipf.sample(random)]!;
    const section = random.pick(SECTIONS);
    const urlSlug = slugOf(title).slice(0, 60).replace(/-$/, '');
    let webUrl = `https://${provider.host}/${section}/${dateTime.slice(0, 4)}/${dateTime.slice(5, 7)}/${urlSlug}-a${index.toString(36)}${random.chance(0.3) ? '.html' : '/'}`;
    if (random.chance(0.04)) webUrl += `?utm_source=feed&utm_medium=rss`;
    const hasAmp = random.chance(0.37) && !webUrl.includes('?');
    const ampWebUrl = hasAmp ? (webUrl.endsWith('/') ? `${webUrl}amp/` : `${webUrl}?amp=1`) : null;
    const cdnAmpWebUrl =
      ampWebUrl === null
        ? null
        : `https://${provider.host.replace(/-/g, '--').replace(/\./g, '-')}.cdn.ampproject.org/c/s/${ampWebUrl.slice('https://'.length)}`;
    specs.push({
      path: `${archive ? '_archive/_news' : '_news'}/${name}.md`,
      archive,
      title,
      excerpt: makeExcerpt(random, vocabulary),
      dateTime,
      provider,
      webUrl,
      ampWebUrl,
      cdnAmpWebUrl,
      quality: random.int(0, 167),
      image: random.chance(0.78) ? makeImage(random, provider, time, vocabulary) : null,
    });
  }

  await mkdir(path.join(real, '_news'), { recursive: true });
  await mkdir(path.join(real, '_archive', '_news'), { recursive: true });

  // Pass 2: render each file (sequentially, for determinism) and write them in parallel batches.
  let bytes = 0;
  let relatedEntries = 0;
  let relatedResolvable = 0;
  // Files are rendered in order (the PRNG is sequential) and written WRITE_CONCURRENCY at a time.
  let batch: Promise<void>[] = [];
  for (let index = 0; index < articles; index++) {
    const spec = specs[index]!;
    const lines: string[] = [
      '---',
      'category: news',
      `title: ${dq(spec.title)}`,
      `excerpt: ${dq(spec.excerpt)}`,
      `publishedDateTime: ${spec.dateTime}`,
    ];
    const urlScalar = (url: string) => (spec.archive && random.chance(0.8) ? url : dq(url));
    if (!spec.archive || random.chance(0.03))
      lines.push(`originalUrl: ${dq(random.chance(0.97) ? spec.webUrl : `https://${random.pick(providers).domain}/r/${index}`)}`);
    lines.push(`webUrl: ${urlScalar(spec.webUrl)}`);
    if (spec.ampWebUrl !== null) lines.push(`ampWebUrl: ${urlScalar(spec.ampWebUrl)}`, `cdnAmpWebUrl: ${urlScalar(spec.cdnAmpWebUrl!)}`);
    lines.push('type: article');
    const publishedRoll = random.next();
    if (publishedRoll < 0.7) {
      const heat = random.chance(0.35) ? -1 : random.int(0, 709);
      lines.push(`quality: ${spec.quality}`, `heat: ${heat}`, `published: ${publishedRoll < 0.6 ? 'true' : 'false'}`);
    }
    lines.push('', 'provider:', `  name: ${spec.provider.name}`, `  domain: ${spec.provider.domain}`);
    if (spec.provider.hasLogo) {
      const logo = spec.archive
        ? `/assets/images/organizations/${spec.provider.domain}-50x50.jpg`
        : `https://everyday-cc.github.io/ai/assets/images/organizations/${spec.provider.domain}-50x50.jpg`;
      lines.push('  images:', `    - url: ${spec.archive ? logo : dq(logo)}`, '      width: 50', '      height: 50');
    }
    lines.push('', 'topics:');
    const topicCount = random.chance(0.45) ? 1 : random.chance(0.8) ? 2 : 3;
    const topics = new Set<string>();
    while (topics.size < topicCount) topics.add(vocabulary.topics[vocabulary.topicZipf.sample(random)]!);
    for (const topic of topics) lines.push(`  - ${topic}`);
    if (spec.image !== null) {
      lines.push(
        '',
        'images:',
        `  - url: ${urlScalar(spec.image.url)}`,
        `    width: ${spec.image.width}`,
        `    height: ${spec.image.height}`,
      );
      lines.push(spec.archive ? `    title: ${dq(spec.title)}` : '    isCached: true');
    }

    lines.push('', 'related:');
    const entryCount = random.int(2, 3);
    const used = new Set<number>([index]);
    for (let entry = 0; entry < entryCount; entry++) {
      relatedEntries++;
      let target: ArticleSpec | null = null;
      if (articles > 1 && random.chance(0.4)) {
        let other = index;
        for (let attempt = 0; attempt < 8 && used.has(other); attempt++) {
          other = Math.min(articles - 1, Math.max(0, index + random.int(-40, 40)));
        }
        if (!used.has(other)) {
          used.add(other);
          target = specs[other]!;
        }
      }
      let title: string, excerpt: string, dateTime: string, webUrl: string, provider: Provider;
      let ampWebUrl: string | null, cdnAmpWebUrl: string | null, quality: number, image: ImageSpec | null;
      if (target !== null) {
        relatedResolvable++;
        ({ title, excerpt, dateTime, webUrl, provider, ampWebUrl, cdnAmpWebUrl, image } = target);
        quality = random.chance(0.8) ? target.quality : random.int(0, 167);
      } else {
        provider = providers[providerZipf.sample(random)]!;
        title = makeTitle(random, vocabulary);
        excerpt = makeExcerpt(random, vocabulary);
        if (random.chance(0.01)) excerpt += '\n';
        const time = Date.parse(spec.dateTime) - random.int(0, 3 * 24 * 60) * 60_000;
        dateTime = isoSeconds(time);
        webUrl = `https://${provider.host}/${random.pick(SECTIONS)}/${slugOf(title).slice(0, 50).replace(/-$/, '')}-x${index.toString(36)}${entry}`;
        ampWebUrl = random.chance(0.28) ? `${webUrl}/amp` : null;
        cdnAmpWebUrl =
          ampWebUrl === null
            ? null
            : `https://${provider.host.replace(/-/g, '--').replace(/\./g, '-')}.cdn.ampproject.org/c/s/${ampWebUrl.slice('https://'.length)}`;
        quality = random.int(0, 167);
        image = random.chance(0.6) ? makeImage(random, provider, time, vocabulary) : null;
      }
      lines.push(
        `  - title: ${dq(title)}`,
        `    excerpt: ${dq(excerpt)}`,
        `    publishedDateTime: ${dateTime}`,
        `    webUrl: ${urlScalar(webUrl)}`,
      );
      if (ampWebUrl !== null) lines.push(`    ampWebUrl: ${urlScalar(ampWebUrl)}`, `    cdnAmpWebUrl: ${urlScalar(cdnAmpWebUrl!)}`);
      lines.push(
        '    type: article',
        '    provider:',
        `      name: ${provider.name}`,
        `      domain: ${provider.domain}`,
        `    quality: ${quality}`,
      );
      if (image !== null) {
        lines.push(
          '    images:',
          `      - url: ${urlScalar(image.url)}`,
          `        width: ${image.width}`,
          `        height: ${image.height}`,
        );
        if (!spec.archive || random.chance(0.9)) lines.push('        isCached: true');
      }
    }

    lines.push('', `secured: "${base64(random, 4 * random.int(60, 110))};${base64(random, 22)}=="`, '---', '');
    if (random.chance(0.15)) lines.push(makeBody(random, vocabulary));
    lines.push('');
    const text = lines.join('\n');
    const buffer = Buffer.from(text, 'utf8');
    bytes += buffer.length;
    batch.push(writeFile(path.join(real, spec.path), buffer));
    if (batch.length >= WRITE_CONCURRENCY) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  return { files: articles, bytes, relatedEntries, relatedResolvable };
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

function argument(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log('usage: npx tsx bench/generate.ts --articles N [--out DIR] [--seed S]');
    return;
  }
  const articles = Number(argument(args, '--articles') ?? '1000');
  const seed = Number(argument(args, '--seed') ?? '1');
  const directory = argument(args, '--out') ?? mkdtempSync(path.join(os.tmpdir(), 'newsgraph-bench-'));
  const started = performance.now();
  const result = await generateCorpus({ directory, articles, seed });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `wrote ${result.files} files (${(result.bytes / 1048576).toFixed(1)} MiB, ${result.relatedEntries} related entries, ` +
      `${result.relatedResolvable} resolvable) to ${path.resolve(directory)} in ${seconds.toFixed(1)} s`,
  );
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
