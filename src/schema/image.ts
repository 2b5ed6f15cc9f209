import { hash } from 'node:crypto';
import type { Image as ImageRecord } from '../content/model.js';
import { builder } from './builder.js';

/** An image record with the cache identity it has where it is served (see identifyImages). */
export interface IdentifiedImage extends ImageRecord {
  readonly id: string;
}

/** The ids of each list identified so far, with the type and owner they were made for; kept as long as the list lives. */
const identitiesOfLists = new WeakMap<readonly unknown[], { readonly typeAndOwner: string; readonly ids: readonly string[] }>();

/**
 * The cache identities of a list's items, in list order: for each item, the first 22 base64url
 * characters (132 bits) of the SHA-256 of `[typeName, ownerKey, content, occurrence]` as JSON, where
 * `content` is `contentOf(item)` (its fields as JSON) and `occurrence` counts the items of identical
 * content before it in the list (nearly always 0). Computed once per list (records are immutable),
 * so every field of a response that asks reads them from memory.
 */
export function cacheIdentities<T>(
  typeName: string,
  ownerKey: string,
  items: readonly T[],
  contentOf: (item: T) => string,
): readonly string[] {
  const typeAndOwner = `${typeName}\n${ownerKey}`;
  const known = identitiesOfLists.get(items);
  if (known?.typeAndOwner === typeAndOwner) return known.ids;
  const occurrences = new Map<string, number>();
  const ids = items.map((item) => {
    const content = contentOf(item);
    const occurrence = occurrences.get(content) ?? 0;
    occurrences.set(content, occurrence + 1);
    return hash('sha256', JSON.stringify([typeName, ownerKey, content, occurrence]), 'base64url').slice(0, 22);
  });
  identitiesOfLists.set(items, { typeAndOwner, ids });
  return ids;
}

/** Every field of an image, in a fixed order: what its identity is derived from (a new field must be added here, or tsc fails). */
export function imageFields(image: ImageRecord): Record<keyof ImageRecord, unknown> {
  const { url, width, height, isCached, title, attribution } = image;
  return { url, width, height, isCached, title, attribution };
}

/**
 * The images of one owner with their ids, in list order. `ownerKey` names the owner within the corpus
 * (`Article:<slug>`, `Provider:<domain>`, `RelatedArticle:<its id>`); the ids are
 * `cacheIdentities('Image', ownerKey, images, JSON of imageFields)`.
 */
export function identifyImages(ownerKey: string, images: readonly ImageRecord[]): IdentifiedImage[] {
  if (images.length === 0) return [];
  const ids = cacheIdentities('Image', ownerKey, images, (image) => JSON.stringify(imageFields(image)));
  return images.map((image, index) => ({ ...image, id: ids[index]! }));
}

/** An image of an article, a related entry or a provider. */
export const Image = builder.objectRef<IdentifiedImage>('Image').implement({
  description: 'An image: an article illustration, a related entry thumbnail or a provider logo.',
  fields: (t) => ({
    id: t.exposeID('id', {
      description:
        'An opaque identity for client caches (Apollo Client and urql Graphcache normalize objects by `id`); not a global id, ' +
        'so `node(id:)` does not fetch it. Derived from what holds the image (the article, the related entry or the provider) ' +
        'and from all of its fields: the same in every query and content version while neither changes, and unique in the corpus, ' +
        'so the same URL in two articles, or with two captions, gives two ids. An edited image gets a new id.',
    }),
    url: t.expose('url', { type: 'URL', description: 'Absolute http(s) URL of the image.' }),
    width: t.exposeInt('width', { nullable: true, description: 'Width in pixels; null when the file does not say.' }),
    height: t.exposeInt('height', { nullable: true, description: 'Height in pixels; null when the file does not say.' }),
    isCached: t.exposeBoolean('isCached', {
      nullable: true,
      description: 'True when the source marks the image as cached by the aggregator; null when it does not say.',
    }),
    title: t.exposeString('title', { nullable: true, description: 'Title or caption of the image; null when there is none.' }),
    attribution: t.exposeString('attribution', { nullable: true, description: 'Credit line of the image; null when there is none.' }),
  }),
});
