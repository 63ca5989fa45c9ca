#!/usr/bin/env node
/**
 * CLI entry: `wattgate start | demo | unlock | reset-admin-password |
 * verify-audit | audit export | config export|import`. Every command has
 * `--help`. Errors with a stable code are printed with their details and exit
 * with status 2 (bad input) — never a stack trace for a user mistake.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { createApp, defaultParts } from './app.js';
import { resetAdmin, unlock } from './cli/account-commands.js';
import { type ExportOptions, exportAuditCommand, verifyAuditCommand } from './cli/audit-commands.js';
import { explain, exportConfig, importConfig } from './cli/config-commands.js';
import { type DemoOptions, runDemo } from './cli/demo.js';
import { type CommonOptions, runtime } from './cli/runtime.js';
import { serveUntilSignal } from './cli/serve.js';
import { LOG_LEVELS } from './core/logging.js';
import { VERSION } from './core/version.js';

function common(cmd: Command): Command {
  return cmd
    .option(
      '--bootstrap <file>',
      'bootstrap file (data directory, log level); default $WATTGATE_BOOTSTRAP or /etc/wattgate/bootstrap.json',
    )
    .option('--data-dir <dir>', 'data directory, overrides the bootstrap file')
    .addOption(
      new Option('--log-level <level>', 'log level, overrides the bootstrap file').choices(LOG_LEVELS),
    );
}

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number of seconds');
  return n;
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new InvalidArgumentError('must be a port number 1-65535');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('wattgate')
    .description('Wattgate panel server: Modbus gateway, wireless concentrator, datalogger, energy server')
    .version(VERSION)
    .showHelpAfterError();

  common(
    program.command('start').description('run Wattgate as a service (configuration from the data directory)'),
  ).action(async (opts: CommonOptions) => {
    const { bootstrap, log } = runtime(opts);
    await serveUntilSignal(() =>
      createApp({ dataDir: bootstrap.dataDir, log, parts: (ctx) => defaultParts(ctx) }),
    );
  });

  common(
    program
      .command('demo')
      .description('run Wattgate on simulated equipment, high ports, a throw-away data directory'),
  )
    .option('--duration <seconds>', 'stop after this many seconds', seconds)
    .option('--modbus-port <port>', 'Modbus TCP port of the demo gateway (default 15020)', port)
    .option('--web-port <port>', 'HTTPS port of the demo web server (default 15443)', port)
    .action(async (opts: DemoOptions) => runDemo(opts));

  common(program.command('unlock').description('clear the login lockout of an account (local recovery)'))
    .argument('<account>', 'account name, e.g. admin')
    .action((account: string, opts: CommonOptions) => {
      process.stdout.write(`${unlock(account, opts)}\n`);
    });
  common(
    program
      .command('reset-admin-password')
      .description(
        'set the admin password with the device code; reads the code, then the password, from stdin',
      ),
  ).action(async (opts: CommonOptions) => {
    process.stdout.write(`${await resetAdmin(opts)}\n`);
  });

  common(
    program.command('verify-audit').description('verify the audit log chain; exit 1 at the first bad record'),
  ).action((opts: CommonOptions) => {
    const r = verifyAuditCommand(opts);
    process.stdout.write(`${r.text}\n`);
    process.exitCode = r.status;
  });
  const audit = program.command('audit').description('the audit log (export; see also verify-audit)');
  common(audit.command('export').description('write the audit log as CSV or JSON'))
    .addOption(new Option('--format <format>', 'file format').choices(['csv', 'json']).default('csv'))
    .option('--from <time>', 'first time, ISO 8601 UTC (inclusive)')
    .option('--to <time>', 'end time, ISO 8601 UTC (exclusive)')
    .option(
      '--category <list>',
      'comma-separated categories (auth, account, session, token, config, service …)',
    )
    .option('--out <file>', 'write to a file (mode 0600) instead of stdout')
    .action((opts: ExportOptions) => exportAuditCommand(opts));

  const config = program.command('config').description('export, import or validate the whole configuration');
  common(config.command('export').description('print the whole configuration as a JSON document'))
    .option('--out <file>', 'write to a file (mode 0600) instead of stdout')
    .action((opts: CommonOptions & { out?: string }) => exportConfig(opts));
  common(
    config
      .command('import')
      .description('replace the whole configuration with a JSON document (- for stdin)'),
  )
    .argument('<file>', 'configuration document from `config export`')
    .option('--dry-run', 'validate only, apply nothing')
    .action((file: string, opts: CommonOptions & { dryRun?: boolean }) => {
      process.stdout.write(`${importConfig(file, opts)}\n`);
    });
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    let text: string;
    try {
      text = explain(e);
    } catch {
      process.stderr.write(`wattgate: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(1);
    }
    process.stderr.write(`wattgate: ${text}\n`);
    process.exit(2);
  }
}

void main(process.argv);
