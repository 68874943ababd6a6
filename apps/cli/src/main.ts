import { runCli } from './cli';

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
  .then((code) => { process.exitCode = code; })
  .catch((e: unknown) => {
    process.stderr.write(`error: ${(e as Error)?.message ?? e}\n`);
    process.exitCode = 2;
  });
