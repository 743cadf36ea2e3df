import { describe, expect, it } from 'vitest';
import { type AppImages, keptImages } from './images.js';
import { registryRemovals, registryRepo, registryTag } from './registry-images.js';

const id = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const release = (version: number, image: number, status: 'succeeded' | 'failed' | 'pending' = 'succeeded') => ({
  version,
  imageId: id(image),
  status,
});

describe('registryRemovals', () => {
  const live: AppImages = { appId: 'a1', destroyed: false, releases: [release(1, 1), release(2, 2), release(3, 3)] };

  it('deletes the tags of images older than the kept releases, keeps the rest', () => {
    const present = [{ repo: 'paas/a1', tags: [registryTag(id(1)), registryTag(id(2)), registryTag(id(3))] }];
    expect(registryRemovals([live], present, keptImages([live], 2))).toEqual([
      { repo: 'paas/a1', tags: [registryTag(id(1))] },
    ]);
    expect(registryRemovals([live], present, keptImages([live], 3))).toEqual([]);
  });

  it('keeps the current release even when it is older than the kept ones (a failed newer one)', () => {
    const app: AppImages = { appId: 'a1', destroyed: false, releases: [release(1, 1), release(2, 2, 'failed')] };
    const present = [{ repo: 'paas/a1', tags: [registryTag(id(1)), registryTag(id(2))] }];
    expect(registryRemovals([app], present, keptImages([app], 1))).toEqual([]);
  });

  it('deletes every tag of a destroyed app, and never touches an unknown repository', () => {
    const gone: AppImages = { appId: 'a2', destroyed: true, releases: [release(1, 4)] };
    const present = [
      { repo: registryRepo('a2'), tags: [registryTag(id(4)), 'latest'] },
      { repo: 'paas/someone-else', tags: ['x'] },
      { repo: 'library/debian', tags: ['bookworm'] },
    ];
    expect(registryRemovals([live, gone], present, keptImages([live, gone], 10))).toEqual([
      { repo: 'paas/a2', tags: [registryTag(id(4)), 'latest'] },
    ]);
  });

  it('an image shared by two apps stays while either keeps it', () => {
    const other: AppImages = { appId: 'a3', destroyed: false, releases: [release(1, 1)] };
    const present = [{ repo: 'paas/a1', tags: [registryTag(id(1))] }];
    expect(registryRemovals([live, other], present, keptImages([live, other], 1))).toEqual([]);
  });
});
