import { Command, type CommanderError } from 'commander';
import { commandRegistrars } from './commands/index';
import { reportError } from './io';

/** Usage errors exit 2 as docs/CLI.md "The contract" requires (commander's default is 1); help and version exit 0. */
function exitFor(err: CommanderError): never {
  const ok = ['commander.helpDisplayed', 'commander.help', 'commander.version'];
  process.exit(ok.includes(err.code) ? 0 : 2);
}

const program = new Command();
program
  .name('plw')
  .description('PLW Studio: instruction fine-tuning sweeps over the prompt loss weight.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride(exitFor);

for (const register of commandRegistrars) register(program);

// Commander applies exitOverride only to the command it is set on; give it to every subcommand.
function inheritExit(cmd: Command): void {
  for (const sub of cmd.commands) {
    sub.exitOverride(exitFor);
    inheritExit(sub);
  }
}
inheritExit(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err);
}
// The command is finished. The WASM backend's thread pool (and any other worker a library
// started) would keep the process alive, so exit explicitly, once stdout has drained.
process.stdout.write('', () => process.exit(process.exitCode ?? 0));
