/** A user mistake on the command line: printed without a stack trace, exit status 2. */
export class CliError extends Error {}
