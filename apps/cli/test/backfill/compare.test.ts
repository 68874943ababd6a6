import { missingImages } from '../../src/backfill/compare';
import { ImageSummary } from '../../src/registry/data';

const image = (digest: string, status?: string): ImageSummary => ({ digest: `sha256:${digest}`, tags: [], ...(status ? { status } : {}) });

describe('missingImages', () => {
  test('an archived destination image is there, not missing', () => {
    const source = new Map([['app', [image('a'), image('b')]]]);
    const destination = new Map([['app', [image('a', 'ARCHIVED'), image('b', 'ACTIVATING')]]]);
    expect(missingImages(source, destination)).toEqual([]);
  });

  test('an archived source image is not asked for; an active one is', () => {
    const source = new Map([['app', [image('a', 'ARCHIVED'), image('b', 'ACTIVE')]]]);
    const destination = new Map([['app', [] as ImageSummary[]]]);
    expect(missingImages(source, destination)).toEqual([{ repository: 'app', repositoryMissing: false, images: [image('b', 'ACTIVE')] }]);
  });
});
