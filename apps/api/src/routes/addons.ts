/** Add-ons and attachments (Heroku's Platform API shapes, as the Heroku CLI 11 uses them). */
import { addonCreateBody, addonResolveBody, attachmentCreateBody, attachmentResolveBody } from '@paas/shared';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AttachmentRow } from '../core/addons.js';
import {
  attachAddon,
  attachmentsOf,
  createAddon,
  destroyAddon,
  detachAddon,
  listAddons,
  resolveAttachment,
  showAddon,
  showAddonAnywhere,
} from '../core/addons.js';
import { lookupApp, requireApp } from '../core/apps.js';
import type { Deps } from '../deps.js';
import { notFound, PaasError } from '../errors.js';
import { presentAddon, presentAttachment } from '../present-addons.js';
import { parseBody } from './parse.js';

type AppParams = { Params: { app: string } };
type AddonParams = { Params: { app: string; addon: string } };

/** An AbortSignal that fires when the client hangs up (a create then stops waiting). */
function hangUp(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

export function addonRoutes(app: FastifyInstance, deps: Deps): void {
  const attachments = (rows: AttachmentRow[]) =>
    rows.flatMap((att) => {
      const target = lookupApp(deps, att.app_id);
      return target ? [presentAttachment(showAddonAnywhere(deps, att.addon_id), att, target)] : [];
    });

  app.get('/addons', async () => listAddons(deps).map(presentAddon));
  app.get<AppParams>('/apps/:app/addons', async (request) =>
    listAddons(deps, requireApp(deps, request.params.app)).map(presentAddon),
  );
  app.get<AddonParams>('/apps/:app/addons/:addon', async (request) =>
    presentAddon(showAddon(deps, requireApp(deps, request.params.app), request.params.addon)),
  );
  app.get<{ Params: { addon: string } }>('/addons/:addon', async (request) =>
    presentAddon(showAddonAnywhere(deps, request.params.addon)),
  );

  app.post<AppParams>('/apps/:app/addons', async (request, reply) => {
    const found = requireApp(deps, request.params.app);
    const body = parseBody(addonCreateBody, request.body);
    const view = await createAddon(
      deps,
      found,
      { plan: body.plan.name, as: body.attachment?.name, name: body.name },
      request.actor,
      hangUp(reply),
    );
    return reply.status(201).send(presentAddon(view));
  });

  app.delete<AddonParams>('/apps/:app/addons/:addon', async (request) =>
    presentAddon(await destroyAddon(deps, requireApp(deps, request.params.app), request.params.addon, request.actor)),
  );

  app.get('/addon-attachments', async () => attachments(attachmentsOf(deps, {})));
  app.get<AppParams>('/apps/:app/addon-attachments', async (request) =>
    attachments(attachmentsOf(deps, { appId: requireApp(deps, request.params.app).id })),
  );
  app.get<{ Params: { addon: string } }>('/addons/:addon/addon-attachments', async (request) =>
    attachments(attachmentsOf(deps, { addonId: showAddonAnywhere(deps, request.params.addon).addon.id })),
  );
  app.post('/addon-attachments', async (request, reply) => {
    const body = parseBody(attachmentCreateBody, request.body);
    const target = requireApp(deps, body.app.id ?? body.app.name ?? '');
    const att = attachAddon(deps, target, body.addon.id ?? body.addon.name ?? '', body.name);
    return reply.status(201).send(attachments([att])[0]);
  });
  app.delete<{ Params: { id: string } }>('/addon-attachments/:id', async (request) => {
    const row = attachmentsOf(deps, {}).find((a) => a.id === request.params.id);
    const target = row && lookupApp(deps, row.app_id);
    if (!row || !target) throw notFound("Couldn't find that add-on attachment.");
    const presented = attachments([row])[0];
    await detachAddon(deps, target, row.id, request.actor);
    return presented;
  });

  app.post('/actions/addons/resolve', async (request) => {
    const body = parseBody(addonResolveBody, request.body);
    const scope = body.app ? requireApp(deps, body.app) : undefined;
    return [presentAddon(showAddon(deps, scope, body.addon))];
  });
  app.post('/actions/addon-attachments/resolve', async (request) => {
    const body = parseBody(attachmentResolveBody, request.body);
    if (!body.app) {
      const found = attachmentsOf(deps, {}).filter((a) => a.id === body.addon_attachment);
      if (!found.length) throw new PaasError('not_found', "Couldn't find that add-on attachment.", 'add_on attachment');
      return attachments(found);
    }
    return attachments([resolveAttachment(deps, requireApp(deps, body.app), body.addon_attachment)]);
  });
}
