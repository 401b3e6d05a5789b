import type { CommandRegistrar } from '../io';
import { registerAnalyze } from './analyze';
import { registerData } from './data';

/**
 * Every `plw` command, registered in the order `plw --help` lists them. Each feature adds its
 * own file under `commands/` exporting a registrar and one line here.
 */
export const commandRegistrars: CommandRegistrar[] = [registerData, registerAnalyze];
