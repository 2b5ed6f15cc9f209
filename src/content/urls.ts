import { decodeHTMLStrict } from 'entities';
import { compareStrings } from './order.js';

/** Query parameters that identify a campaign or a click, not a page. */
const TRACKING_PARAMETER = /^(?:utm_.*|ocid|ncid|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|cmpid)$/i;

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The outcome of reading one URL field: a usable absolute URL, or why there is none. */
export type UrlResult = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string };

/**
 * Reads a URL from front matter: absolute `http`/`https` only, HTML character references decoded
 * (`&#038;` occurs in scraped image URLs), spaces percent-encoded; a relative path is appended to
 * `siteUrl` when one is given (`/assets/a.jpg` with `https://x.io/ai` -> `https://x.io/ai/assets/a.jpg`,
 * as a static site with a base path serves it). Never throws.
 */
export function parseHttpUrl(raw: string, siteUrl: string | null): UrlResult {
  const text = (raw.includes('&') ? decodeHTMLStrict(raw) : raw).trim();
  if (text === '') return { ok: false, reason: 'expected an absolute http(s) URL, found an empty string' };
  const isRelative = !HAS_SCHEME.test(text) && /^(?:\/|\.\.?\/)/.test(text);
  if (isRelative && !text.startsWith('//') && siteUrl === null) {
    return {
      ok: false,
      reason:
        `expected an absolute http(s) URL, found the relative URL "${truncate(text)}" ` +
        'and no site URL is configured to resolve it (SITE_URL)',
    };
  }
  let url: URL;
  try {
    url = new URL(isRelative ? resolveAgainstSite(text, siteUrl) : text);
  } catch {
    return { ok: false, reason: `expected an absolute http(s) URL, found "${truncate(text)}"` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `expected an http or https URL, found the scheme "${url.protocol}"` };
  }
  if (url.hostname === '') return { ok: false, reason: `expected a URL with a host, found "${truncate(text)}"` };
  return { ok: true, url: url.href };
}

/**
 * The identity of a URL: the same key for the same page however it is written. Scheme, `www.`,
 * default port, fragment, tracking parameters, parameter order and a trailing slash are ignored;
 * host is lowercased. Returns null for anything that is not an absolute http(s) URL.
 */
export function urlKey(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const host = stripWww(url.hostname);
  const port = url.port === '' ? '' : `:${url.port}`;
  const path = url.pathname.replace(/\/+$/, '');
  const parameters = [...url.searchParams].filter(([name]) => !TRACKING_PARAMETER.test(name)).sort(([a], [b]) => compareStrings(a, b));
  const query = parameters.length === 0 ? '' : `?${new URLSearchParams(parameters).toString()}`;
  return `${host}${port}${path}${query}`;
}

/**
 * The near key of a URL key that has a query (other than tracking parameters): the key without its
 * query, which is what a near match compares (`example.com/a?amp=` -> `example.com/a`); null for a
 * key without a query. A related entry whose URLs match no article exactly resolves to the one
 * article of the view with a URL of the same near key (its own key for a URL without a query), and
 * stays external when two or more articles have one: `?amp`, `?amp=1`, `?outputType=amp` and
 * `?d_id=...` variants of a corpus URL then still resolve.
 */
export function nearKeyOf(key: string): string | null {
  const query = key.indexOf('?');
  return query === -1 ? null : key.slice(0, query);
}

/** The near key an article is found by for one of its URL keys: the key without its query (nearKeyOf), or the key itself. */
export function ownNearKeyOf(key: string): string {
  return nearKeyOf(key) ?? key;
}

/**
 * urlKey for a URL already in the form parseHttpUrl returns (a WHATWG `href`), computed with string
 * operations when it has no query, user info or IPv6 host (the common case), else by urlKey.
 * Same result as urlKey, several times cheaper (bench/RESULTS.md).
 */
export function urlKeyOfHref(href: string): string | null {
  const authorityStart = href.startsWith('https://') ? 8 : href.startsWith('http://') ? 7 : -1;
  const pathStart = authorityStart === -1 ? -1 : href.indexOf('/', authorityStart);
  if (pathStart === -1) return urlKey(href);
  let pathEnd = href.indexOf('#', pathStart);
  if (pathEnd === -1) pathEnd = href.length;
  const authority = href.slice(authorityStart, pathStart);
  const path = href.slice(pathStart, pathEnd);
  if (path.includes('?') || authority.includes('@') || authority.startsWith('[')) return urlKey(href);
  return `${stripWww(authority)}${path.replace(/\/+$/, '')}`;
}

/**
 * A provider domain normalized: lowercase, no `www.`, no scheme, path or port. Accepts a bare
 * domain or a URL; returns null when nothing like a host name is there.
 */
export function normalizeDomain(raw: string): string | null {
  const text = raw.trim().toLowerCase();
  if (text === '') return null;
  let host: string;
  try {
    host = new URL(HAS_SCHEME.test(text) ? text : `http://${text}`).hostname;
  } catch {
    return null;
  }
  host = stripWww(host.replace(/\.$/, ''));
  return /^[a-z0-9.-]+$/.test(host) && host.includes('.') ? host : null;
}

/** The normalized host of an absolute URL, or null. */
export function hostOf(url: string): string | null {
  try {
    return normalizeDomain(new URL(url).hostname);
  } catch {
    return null;
  }
}

function resolveAgainstSite(path: string, siteUrl: string | null): string {
  if (path.startsWith('//')) return `https:${path}`;
  const base = (siteUrl ?? '').replace(/\/+$/, '');
  return `${base}/${path.replace(/^(?:\.\.?\/)+|^\/+/, '')}`;
}

function stripWww(host: string): string {
  return host.startsWith('www.') ? host.slice(4) : host;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
