/**
 * Starting and stopping `moto_server` (the AWS API emulator) for the
 * integration suite, and the environment that points the SDK at it.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

/** The path of an executable on PATH, or `undefined`. */
export function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export interface MotoServerOptions {
  /**
   * Enforce IAM: the first N requests are allowed without a policy (to create
   * an admin user and the roles under test), every later one is authorized
   * against the caller's IAM policies (moto's `INITIAL_NO_AUTH_ACTION_COUNT`).
   * @default - IAM is not enforced
   */
  readonly enforceIamAfter?: number;
}

/** The `moto_server` executable on PATH, or `undefined` when it is not installed. */
export function findMotoServer(): string | undefined {
  return findOnPath('moto_server');
}

export class MotoServer {
  static async start(executable: string, options: MotoServerOptions = {}): Promise<MotoServer> {
    const port = await freePort();
    const env = { ...process.env };
    if (options.enforceIamAfter !== undefined) env.INITIAL_NO_AUTH_ACTION_COUNT = String(options.enforceIamAfter);
    const child = spawn(executable, ['-p', String(port), '-H', '127.0.0.1'], { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    const server = new MotoServer(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr}`);
      try {
        const res = await fetch(`${server.endpoint}/moto-api/data.json`);
        if (res.ok) return server;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`moto_server did not answer on ${server.endpoint} within 30 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private constructor(private readonly child: ChildProcess, readonly endpoint: string) {}

  /** Forgets every resource of every account and Region. */
  async reset(): Promise<void> {
    const res = await fetch(`${this.endpoint}/moto-api/reset`, { method: 'POST' });
    if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
  }

  /**
   * Stops the server and waits until it has exited: a child process still
   * running (and its stderr pipe) would keep Jest from exiting after the
   * suite ("Jest did not exit one second after the test run has completed").
   */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(kill);
  }
}

/** Variables the suite sets: dummy credentials and the emulator endpoint, nothing from the user's set-up. */
export function emulatorEnv(endpoint: string): Record<string, string | undefined> {
  return {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_DEFAULT_PROFILE: undefined,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: undefined,
    AWS_ENDPOINT_URL: endpoint,
    AWS_CONFIG_FILE: '/nonexistent/ecr-kms-replication-test/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/ecr-kms-replication-test/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Applies `vars` to `process.env` and returns a function that restores the previous values. */
export function patchEnv(vars: Record<string, string | undefined>): () => void {
  const previous: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(vars)) {
    previous[key] = process.env[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return () => patchEnv(previous);
}

export interface EmulatorSuiteOptions extends MotoServerOptions {
  /**
   * Forget every resource before each test.
   * @default true
   */
  readonly resetBeforeEach?: boolean;
}

/**
 * A `describe` block run against a fresh `moto_server`, with the SDK pointed
 * at it (dummy credentials, `AWS_ENDPOINT_URL`). Without `moto_server` on the
 * PATH the block is skipped with a warning, except on CI (`CI=true`), where
 * that is a failing test: an emulator suite never passes by not running.
 */
export function describeAgainstMoto(name: string, body: (server: () => MotoServer) => void, options: EmulatorSuiteOptions = {}): void {
  const executable = findMotoServer();
  if (!executable && process.env.CI === 'true') {
    describe(name, () => {
      test('moto_server is installed (required on CI)', () => {
        throw new Error('moto_server not found on PATH: the emulator suite cannot be skipped on CI (CI=true)');
      });
    });
    return;
  }
  if (!executable) {
    console.warn(`moto_server not found: skipping "${name}"`);
    describe.skip(name, () => {
      test('skipped', () => undefined);
    });
    return;
  }
  describe(name, () => {
    let moto: MotoServer | undefined;
    let restoreEnv: (() => void) | undefined;
    beforeAll(async () => {
      moto = await MotoServer.start(executable, options);
      restoreEnv = patchEnv(emulatorEnv(moto.endpoint));
    }, 40_000);
    afterAll(async () => {
      restoreEnv?.();
      await moto?.stop();
    });
    if (options.resetBeforeEach !== false) beforeEach(() => moto!.reset());
    body(() => moto!);
  });
}
