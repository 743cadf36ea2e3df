/** Every command of the CLI, in the order `paas help` lists them. */
import type { Command } from '../command.js';
import addonsAttach from './addons/attach.js';
import addonsCreate from './addons/create.js';
import addonsDestroy from './addons/destroy.js';
import addonsDetach from './addons/detach.js';
import addons from './addons/index.js';
import addonsInfo from './addons/info.js';
import appsCreate from './apps/create.js';
import appsDestroy from './apps/destroy.js';
import apps from './apps/index.js';
import appsInfo from './apps/info.js';
import builds from './builds/index.js';
import buildsOutput from './builds/output.js';
import certsAdd from './certs/add.js';
import certs from './certs/index.js';
import certsRemove from './certs/remove.js';
import configGet from './config/get.js';
import config from './config/index.js';
import configSet from './config/set.js';
import configUnset from './config/unset.js';
import domainsAdd from './domains/add.js';
import domains from './domains/index.js';
import domainsRemove from './domains/remove.js';
import drainsAdd from './drains/add.js';
import drains from './drains/index.js';
import drainsRemove from './drains/remove.js';
import gitRemote from './git/remote.js';
import login from './login.js';
import logs from './logs.js';
import pgBackupsCapture from './pg/backups/capture.js';
import pgBackupsDownload from './pg/backups/download.js';
import pgBackups from './pg/backups/index.js';
import pgBackupsRestore from './pg/backups/restore.js';
import pgPsql from './pg/psql.js';
import ps from './ps/index.js';
import psRestart from './ps/restart.js';
import psScale from './ps/scale.js';
import psStop from './ps/stop.js';
import releases from './releases/index.js';
import releasesInfo from './releases/info.js';
import releasesOutput from './releases/output.js';
import rollback from './rollback.js';
import runDetached from './run/detached.js';
import run from './run/index.js';

export const commands: Command[] = [
  login,
  apps,
  appsCreate,
  appsInfo,
  appsDestroy,
  config,
  configGet,
  configSet,
  configUnset,
  releases,
  releasesInfo,
  releasesOutput,
  rollback,
  ps,
  psScale,
  psRestart,
  psStop,
  addons,
  addonsCreate,
  addonsInfo,
  addonsDestroy,
  addonsAttach,
  addonsDetach,
  pgBackups,
  pgBackupsCapture,
  pgBackupsRestore,
  pgBackupsDownload,
  pgPsql,
  run,
  runDetached,
  certs,
  certsAdd,
  certsRemove,
  domains,
  domainsAdd,
  domainsRemove,
  logs,
  drains,
  drainsAdd,
  drainsRemove,
  builds,
  buildsOutput,
  gitRemote,
];
