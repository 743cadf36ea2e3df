import { describe, expect, it } from 'vitest';
import type { ImageSummary } from '../docker.js';
import { type AppImages, imagesToRemove, keptImages } from './images.js';

type Status = AppImages['releases'][number]['status'];

/** An app whose releases v1, v2, … use the given images (null: no image yet). */
const app = (appId: string, images: (string | null)[], options: { destroyed?: boolean; status?: Status[] } = {}) => ({
  appId,
  destroyed: options.destroyed ?? false,
  releases: images.map((imageId, i) => ({ version: i + 1, imageId, status: options.status?.[i] ?? 'succeeded' })),
});

const present = (...ids: string[]): ImageSummary[] => ids.map((id) => ({ id, tags: [], labels: {} }));

describe('image collection decisions', () => {
  it('keeps the images of the newest N releases of an app and removes older ones', () => {
    const images = Array.from({ length: 13 }, (_, i) => `img${i + 1}`);
    const apps = [app('a', images)];
    expect([...keptImages(apps, 10)].sort()).toEqual(images.slice(3).sort());
    expect(imagesToRemove(apps, present(...images), 10)).toEqual(['img1', 'img2', 'img3']);
  });

  it('counts releases, not images: releases that share an image keep it once, and keep it if any kept one names it', () => {
    // v1 deploy (x), v2..v4 config changes (x), v5 deploy (y), v6 config change (y).
    const apps = [app('a', ['x', 'x', 'x', 'x', 'y', 'y'])];
    expect([...keptImages(apps, 2)]).toEqual(['y']);
    expect(imagesToRemove(apps, present('x', 'y'), 2)).toEqual(['x']);
    // v3 (x) is among the newest 4: x stays though v1 and v2, which also name it, are older.
    expect([...keptImages(apps, 4)].sort()).toEqual(['x', 'y']);
    expect(imagesToRemove(apps, present('x', 'y'), 4)).toEqual([]);
  });

  it('always keeps the current release, the newest that succeeded', () => {
    const apps = [app('a', ['x', 'y', 'z'], { status: ['succeeded', 'succeeded', 'failed'] })];
    expect([...keptImages(apps, 1)].sort()).toEqual(['y', 'z']);
    expect(imagesToRemove(apps, present('x', 'y', 'z'), 1)).toEqual(['x']);
  });

  it("removes all of a destroyed app's images, unless a live app's kept release names the same image", () => {
    const apps = [app('gone', ['x', 'y', 'shared'], { destroyed: true }), app('live', ['shared'])];
    expect(imagesToRemove(apps, present('x', 'y', 'shared'), 10)).toEqual(['x', 'y']);
  });

  it("removes a destroyed app's labelled images that no release names (failed builds)", () => {
    const apps = [app('gone', ['x'], { destroyed: true }), app('live', ['y'])];
    const images: ImageSummary[] = [
      { id: 'orphan', tags: ['paas/gone:abc'], labels: { 'paas.app-id': 'gone' } },
      { id: 'building', tags: ['paas/live:def'], labels: { 'paas.app-id': 'live' } },
      { id: 'x', tags: [], labels: {} },
    ];
    expect(imagesToRemove(apps, images, 10)).toEqual(['orphan', 'x']);
  });

  it('leaves images no release names: a build in flight, images of other platforms (not listed), ones already gone', () => {
    const apps = [app('a', ['v1', 'v2'])];
    // "new" is a build whose release is not written yet; v1 was removed already (not present).
    expect(imagesToRemove(apps, present('v2', 'new'), 1)).toEqual([]);
    expect(imagesToRemove([app('b', [null, 'v1', 'v2'])], present('v1', 'v2'), 1)).toEqual(['v1']);
  });
});
