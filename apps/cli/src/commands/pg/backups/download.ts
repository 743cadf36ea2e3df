import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { appPath } from '../../../api.js';
import type { Context } from '../../../command.js';
import { size } from './index.js';

/** `paas pg:backups:download`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const [backup = 'latest'] = ctx.args;
  const file = ctx.flag('output') ?? 'latest.dump';
  await ctx.step(
    `Downloading ${backup} of ${app} to ${file}`,
    async () => {
      const response = await ctx.api.stream(appPath(app, `/pg-backups/${encodeURIComponent(backup)}/download`));
      if (!response.body) throw new Error('empty answer');
      await pipeline(Readable.fromWeb(response.body as WebReadableStream), fs.createWriteStream(`${file}.part`));
      fs.renameSync(`${file}.part`, file);
      return fs.statSync(file).size;
    },
    (bytes) => `done (${size(bytes)})`,
  );
}
