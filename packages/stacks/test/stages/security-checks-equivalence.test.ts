import * as fs from 'fs';
import * as path from 'path';
import { PolicyValidationPluginReport } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { testApp, topology } from './helpers';
import { DestinationStage, EcrReplicationChecks, PROPERTY_DEPENDENT_RULES } from '../../src/stages';

test('the rules that skip a resource class by its properties are exactly the listed ones', () => {
  // Every other AwsSolutions rule returns NOT_APPLICABLE in one place: for the classes it does not check.
  const rulesDir = path.join(path.dirname(require.resolve('cdk-nag')), 'rules');
  const pack = fs.readFileSync(path.join(path.dirname(require.resolve('cdk-nag')), 'packs', 'aws-solutions.js'), 'utf8');
  const used = [...new Set([...pack.matchAll(/rule: [a-z0-9]+_1\.([A-Za-z0-9]+)/g)].map((m) => m[1]))];
  expect(used.length).toBeGreaterThan(100);
  const ruleFiles = new Map<string, string>();
  for (const dir of fs.readdirSync(rulesDir)) {
    if (!fs.statSync(path.join(rulesDir, dir)).isDirectory()) continue;
    for (const file of fs.readdirSync(path.join(rulesDir, dir)).filter((f) => f.endsWith('.js') && f !== 'index.js')) {
      ruleFiles.set(file.replace(/\.js$/, ''), path.join(rulesDir, dir, file));
    }
  }
  const conditional = used.filter((rule) => {
    const source = fs.readFileSync(ruleFiles.get(rule)!, 'utf8').replace(/\/\/# sourceMappingURL=.*/, '');
    return (source.match(/NOT_APPLICABLE/g) ?? []).length !== 1;
  });
  expect(conditional.sort()).toEqual([...PROPERTY_DEPENDENT_RULES].sort());
});

test('the same findings as the plain AwsSolutions checks', () => {
  const model = topology([{ account: '222222222222', region: 'eu-west-1' }], {
    repositories: Array.from({ length: 30 }, (_, i) => ({ name: `team/service-${String(i).padStart(2, '0')}` })),
  });
  const stage = new DestinationStage(testApp(), { topology: model, destination: model.destinations[0] });
  // Findings of several kinds, some on resource classes the stage already has.
  new s3.Bucket(stage.registryStack, 'Unlogged');
  new s3.Bucket(stage.repositoriesStacks[0], 'AnotherUnlogged');
  const role = new iam.Role(stage.registryStack, 'Wide', { assumedBy: new iam.ServicePrincipal('ecr.amazonaws.com') });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['ecr:*'], resources: ['*'] }));

  const findings = (report: PolicyValidationPluginReport) =>
    report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)).sort();
  const plain = findings(new AwsSolutionsChecks(stage).validateScope(stage));
  const memoized = findings(new EcrReplicationChecks(stage).validateScope(stage));
  expect(plain.length).toBeGreaterThan(5);
  expect(memoized).toEqual(plain);
});
