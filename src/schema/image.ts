import type { Image as ImageRecord } from '../content/model.js';
import { builder } from './builder.js';

/** An image of an article, a related entry or a provider. */
export const Image = builder.objectRef<ImageRecord>('Image').implement({
  description: 'An image: an article illustration, a related entry thumbnail or a provider logo.',
  fields: (t) => ({
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
