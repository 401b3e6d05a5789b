import type { CommandRegistrar } from '../io';
import { registerAnalyze } from './analyze';
import { registerBleu } from './bleu';
import { registerCell } from './cell';
import { registerData } from './data';
import { registerDemo } from './demo';
import { registerEval } from './eval';
import { registerExport } from './export';
import { registerGenerate } from './generate';
import { registerImportLmEval } from './import-lm-eval';
import { registerLoss } from './loss';
import { registerModels } from './models';
import { registerPretrain } from './pretrain';
import { registerServe } from './serve';
import { registerSweep } from './sweep';
import { registerTrain } from './train';
import { registerWorker } from './worker';

/**
 * Every `plw` command, registered in the order `plw --help` lists them: data and models, the
 * single-run commands, metrics and analysis, then sweeps and the app's shells.
 */
export const commandRegistrars: CommandRegistrar[] = [
  registerData,
  registerModels,
  registerLoss,
  registerGenerate,
  registerTrain,
  registerPretrain,
  registerEval,
  registerBleu,
  registerImportLmEval,
  registerAnalyze,
  registerExport,
  registerSweep,
  registerCell,
  registerDemo,
  registerServe,
  registerWorker,
];
