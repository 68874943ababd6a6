import { problemLines, problemsOf, topologyError, validTopology } from './helpers';
import { parseTopology, validateTopology } from '../../src/topology';

function withChange(change: (t: any) => void): any {
  const topology = validTopology();
  change(topology);
  return topology;
}

const QUOTE_HINT = 'must be a quoted string of 12 digits, e.g. account: "012345678901"';

describe('account IDs', () => {
  test('an unquoted number is told to be quoted, keeping the number it became', () => {
    const text = [
      'source: { account: "111111111111", region: us-east-1 }',
      'destinations:',
      '  - { account: "222222222222", region: eu-west-1 }',
      '  - account: 012345678901',
      '    region: eu-west-2',
      'repositories: [{ name: app }]',
      'pipeline: { account: "333333333333", region: us-east-1, repository: o/r,',
      '  connectionArn: "arn:aws:codeconnections:us-east-1:333333333333:connection/abc" }',
    ].join('\n');
    expect(problemsOf(() => parseTopology(text))).toEqual([{
      path: 'destinations[1].account',
      message: `${QUOTE_HINT} (got the number 12345678901; YAML reads unquoted numbers as numbers and drops leading zeros)`,
      value: 12345678901,
      line: 4,
    }]);
  });

  test('a string of the wrong length says how long it is', () => {
    expect(problemsOf(() => validateTopology(withChange((t) => { t.pipeline.account = '12345'; })))).toEqual([
      { path: 'pipeline.account', message: `${QUOTE_HINT} (it has 5 characters)`, value: '12345' },
    ]);
  });

  test('letters are not digits', () => {
    expect(problemLines(() => validateTopology(withChange((t) => { t.source.account = '11111111111a'; }))))
      .toEqual([`source.account: ${QUOTE_HINT} (it has 12 characters)`]);
  });

  test('a missing account is required', () => {
    expect(problemsOf(() => validateTopology(withChange((t) => { delete t.destinations[0].account; }))))
      .toEqual([{ path: 'destinations[0].account', message: 'is required' }]);
  });
});

describe('Regions', () => {
  test('an unknown Region is named, with a suggestion when it is a likely typo', () => {
    expect(problemsOf(() => validateTopology(withChange((t) => { t.destinations[1].region = 'eu-west-l'; })))).toEqual([
      { path: 'destinations[1].region', message: "is not a known AWS Region code; did you mean 'eu-west-1'?", value: 'eu-west-l' },
    ]);
  });

  test('an unknown Region without a close match gets an example', () => {
    expect(problemLines(() => validateTopology(withChange((t) => { t.pipeline.region = 'mars'; }))))
      .toEqual(['pipeline.region: is not a known AWS Region code, e.g. us-east-1']);
  });

  test('destinations in another partition are refused', () => {
    expect(problemsOf(() => validateTopology(withChange((t) => {
      t.destinations[1] = { account: '222222222222', region: 'cn-north-1', creationTemplate: false };
    })))).toEqual([{
      path: 'destinations[1].region',
      message: 'is in partition aws-cn but the source is in aws; ECR cannot replicate across partitions',
      value: 'cn-north-1',
    }]);
  });

  test('creation templates are refused where they do not exist', () => {
    const topology = withChange((t) => {
      t.source.region = 'us-gov-west-1';
      t.destinations = [{ account: '222222222222', region: 'us-gov-east-1' }];
    });
    expect(problemLines(() => validateTopology(topology))).toEqual([
      'destinations[0].creationTemplate: repository creation templates (on by default) are not available in us-gov-east-1 '
      + '(partition aws-us-gov); set creationTemplate: false',
    ]);
    topology.destinations[0].creationTemplate = false;
    expect(validateTopology(topology).destinations[0].creationTemplate).toBe(false);
  });
});

describe('repositories', () => {
  test.each([
    ['Team-A/service', 'it must be lowercase'],
    ['a', 'it must be 2 to 256 characters long (it has 1)'],
    ['x'.repeat(257), 'it must be 2 to 256 characters long (it has 257)'],
    ['team a', "it may contain only lowercase letters, digits, '.', '_', '-' and '/' (found ' ')"],
    ['-team', 'it must start with a letter or a digit'],
    ['team/', 'it must end with a letter or a digit'],
    ['team//a', "it may not contain an empty namespace ('//')"],
    ['team__a', "it may not have two separators ('.', '_', '-', '/') in a row"],
  ])('%s breaks a named ECR naming rule', (name, rule) => {
    expect(problemsOf(() => validateTopology(withChange((t) => { t.repositories[0].name = name; })))).toEqual([
      { path: 'repositories[0].name', message: `is not a valid ECR repository name: ${rule}`, value: name },
    ]);
  });

  test('every broken rule is listed', () => {
    expect(problemLines(() => validateTopology(withChange((t) => { t.repositories[0].name = 'App_'; })))).toEqual([
      'repositories[0].name: is not a valid ECR repository name: it must be lowercase; it must end with a letter or a digit',
    ]);
  });

  test('names that start with a digit are fine', () => {
    const model = validateTopology(withChange((t) => { t.repositories = [{ name: '1app' }, { name: 'app' }]; }));
    expect(model.repositories.map((r) => r.name)).toEqual(['1app', 'app']);
  });

  test('a name that is a prefix of another is refused: its filter would replicate the other too', () => {
    expect(problemsOf(() => validateTopology(withChange((t) => { t.repositories = [{ name: 'app' }, { name: 'app-old' }]; })))).toEqual([{
      path: 'repositories[0].name',
      message: 'is a prefix of repositories[1] (app-old): ECR filters by prefix, so the filter app would also replicate app-old '
        + 'and any repository named app...; rename one, or list them under a namespace',
      value: 'app',
    }]);
  });

  test('a repository listed twice is reported at the repeat', () => {
    expect(problemsOf(() => validateTopology(withChange((t) => { t.repositories.push({ name: 'team-a/service' }); })))).toEqual([
      { path: 'repositories[2].name', message: 'repeats repositories[0]; list each repository once', value: 'team-a/service' },
    ]);
  });

  test('1,000 repositories fit, 1,001 do not: the message names the ECR quotas', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `repo-${String(i).padStart(4, '0')}` }));
    expect(validateTopology(withChange((t) => { t.repositories = names(1000); })).repositories).toHaveLength(1000);
    expect(problemLines(() => validateTopology(withChange((t) => { t.repositories = names(1001); })))).toEqual([
      'repositories: lists 1,001 repositories; one replication configuration holds at most 1,000 '
      + '(ECR quotas: 10 rules × 100 repository filters per rule)',
    ]);
  });

  test('a bare name is shown how to write it', () => {
    expect(problemsOf(() => validateTopology(withChange((t) => { t.repositories[1] = 'team-b/api'; })))).toEqual([
      { path: 'repositories[1]', message: 'must be a mapping with a name, e.g. - name: team-b/api', value: 'team-b/api' },
    ]);
  });

  test('at least one repository', () => {
    expect(problemsOf(() => validateTopology(withChange((t) => { t.repositories = []; })))).toEqual([
      { path: 'repositories', message: 'must list at least one repository', value: [] },
    ]);
  });

  test('settings have their own wording', () => {
    expect(problemLines(() => validateTopology(withChange((t) => {
      t.repositories[0] = { name: 'app', imageTagMutability: 'mutable', scanOnPush: 'yes', existing: 1, lifecycle: { maxImageCount: 0, untaggedExpiryDays: 1.5 } };
    })))).toEqual([
      'repositories[0].existing: must be true (the source), everywhere, or a list of environments (source, <account>-<region>)',
      'repositories[0].imageTagMutability: must be one of IMMUTABLE, MUTABLE',
      'repositories[0].scanOnPush: must be true or false',
      'repositories[0].lifecycle.maxImageCount: must be at least 1',
      'repositories[0].lifecycle.untaggedExpiryDays: must be a whole number',
    ]);
  });
});

describe('existing', () => {
  test('names environments of the topology, with a hint for a typo', () => {
    expect(problemsOf(() => validateTopology(withChange((t) => {
      t.repositories[0].existing = ['source', '222222222222-eu-west-2', 'prod'];
    })))).toEqual([
      { path: 'repositories[0].existing[1]', message: "is not an environment of this topology; did you mean '222222222222-eu-west-1'?", value: '222222222222-eu-west-2' },
      {
        path: 'repositories[0].existing[2]',
        message: 'is not an environment of this topology (known: source, 111111111111-us-east-1, 111111111111-us-west-2, 222222222222-eu-west-1)',
        value: 'prod',
      },
    ]);
  });

  test('lists each environment once (source and the source id are the same)', () => {
    expect(problemsOf(() => validateTopology(withChange((t) => {
      t.repositories[0].existing = ['source', '111111111111-us-east-1'];
    })))).toEqual([
      { path: 'repositories[0].existing[1]', message: 'names an environment already listed; list each environment once', value: '111111111111-us-east-1' },
    ]);
  });

  test('an empty list is not a way to say false', () => {
    expect(problemLines(() => validateTopology(withChange((t) => { t.repositories[0].existing = []; }))))
      .toEqual(['repositories[0].existing: must list at least one environment (source, or <account>-<region>), or be false']);
  });
});

describe('destinations', () => {
  test('a destination listed twice is reported at the repeat', () => {
    expect(problemsOf(() => validateTopology(withChange((t) => { t.destinations.push({ account: '222222222222', region: 'eu-west-1' }); }))))
      .toEqual([{ path: 'destinations[2]', message: 'repeats destinations[1] (account 222222222222, Region eu-west-1); list each destination once' }]);
  });

  test('the source is not a destination', () => {
    expect(problemsOf(() => validateTopology(withChange((t) => { t.destinations.push({ account: '111111111111', region: 'us-east-1' }); }))))
      .toEqual([{
        path: 'destinations[2]',
        message: 'is the source registry itself (account 111111111111, Region us-east-1); a registry cannot replicate to itself',
      }]);
  });

  test('25 destinations fit, 26 do not: the message names the ECR quota', () => {
    const regions = ['us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1'];
    const destinations = (n: number) => Array.from({ length: n }, (_, i) => ({
      account: String(222222222220 + Math.floor(i / regions.length)),
      region: regions[i % regions.length],
    }));
    expect(validateTopology(withChange((t) => { t.destinations = destinations(25); })).destinations).toHaveLength(25);
    expect(problemLines(() => validateTopology(withChange((t) => { t.destinations = destinations(26); })))).toEqual([
      'destinations: lists 26 destinations; ECR replicates a registry to at most 25 unique destinations '
      + '(service quota "unique destinations per replication configuration")',
    ]);
  });

  test('at least one destination', () => {
    expect(problemLines(() => validateTopology(withChange((t) => { t.destinations = []; }))))
      .toEqual(['destinations: must list at least one destination']);
  });

  test('a wrong type says what was expected', () => {
    expect(problemsOf(() => validateTopology(withChange((t) => { t.destinations = { account: '222222222222' }; })))).toEqual([
      { path: 'destinations', message: 'must be a list', value: { account: '222222222222' } },
    ]);
  });
});

describe('principal ARNs', () => {
  test.each([
    ['KeyAdmin', 'it must be an IAM principal ARN, e.g. arn:aws:iam::111111111111:role/KeyAdmin'],
    ['arn:aws:iam::1111:role/KeyAdmin', "it must name a 12-digit account (found '1111')"],
    ['arn:aws:s3:::bucket/x', "it must be an IAM ARN (service 'iam', not 's3'); it must name a 12-digit account (found '')"],
    ['arn:aws:iam::111111111111:role/', "it must name 'root', 'role/NAME' or 'user/NAME' (found 'role/')"],
    ['arn:aws:iam:us-east-1:111111111111:role/KeyAdmin', 'it must have an empty Region field (IAM is global): arn:aws:iam::ACCOUNT:...'],
    ['arn:aws:iam::111111111111:role/*', 'it may not contain wildcards (a KMS key policy names exact principals)'],
    ['arn:aws:iam::111111111111:group/Admins', "it must name 'root', 'role/NAME' or 'user/NAME' (found 'group/Admins')"],
    ['arn:aws:sts::111111111111:assumed-role/KeyAdmin/session', 'it is a role session; name the role itself, e.g. arn:aws:iam::111111111111:role/KeyAdmin'],
    ['arn:azure:iam::111111111111:root', "it has an unknown partition 'azure' (expected aws, aws-cn or aws-us-gov)"],
  ])('%s is refused', (arn, why) => {
    expect(problemsOf(() => validateTopology(withChange((t) => { t.keyUsers = [t.keyUsers[0], arn]; })))).toEqual([
      { path: 'keyUsers[1]', message: `is not a valid principal ARN: ${why}`, value: arn },
    ]);
  });

  test.each([
    'arn:aws:iam::111111111111:root',
    'arn:aws:iam::111111111111:role/path/to/Role-Name_1',
    'arn:aws:iam::111111111111:user/ci',
    'arn:aws-cn:iam::111111111111:role/KeyAdmin',
  ])('%s is accepted', (arn) => {
    expect(validateTopology(withChange((t) => { t.keyAdmins = [arn]; })).source.keyAdmins).toEqual([arn]);
  });

  test('a single ARN instead of a list says it must be a list', () => {
    expect(problemLines(() => validateTopology(withChange((t) => { t.destinations[0].keyAdmins = 'arn:aws:iam::111111111111:root'; }))))
      .toEqual(['destinations[0].keyAdmins: must be a list']);
  });
});

describe('pipeline', () => {
  test('required fields are reported together', () => {
    expect(problemLines(() => validateTopology(withChange((t) => { t.pipeline = { region: 'us-east-1' }; })))).toEqual([
      'pipeline.account: is required',
      'pipeline.connectionArn: is required',
      'pipeline.repository: is required',
    ]);
  });

  test('a missing pipeline is required', () => {
    expect(problemLines(() => validateTopology(withChange((t) => { delete t.pipeline; })))).toEqual(['pipeline: is required']);
  });

  test.each([
    'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
    'arn:aws:codestar-connections:eu-west-1:333333333333:connection/abc-123',
  ])('connection %s is accepted', (arn) => {
    expect(validateTopology(withChange((t) => { t.pipeline.connectionArn = arn; })).pipeline.connectionArn).toBe(arn);
  });

  test.each([
    'arn:aws:codecommit:us-east-1:333333333333:my-repo',
    'arn:aws:codeconnections:us-east-1:333333333333:host/abc',
    'connection/abc',
  ])('connection %s is refused', (arn) => {
    expect(problemsOf(() => validateTopology(withChange((t) => { t.pipeline.connectionArn = arn; })))).toEqual([{
      path: 'pipeline.connectionArn',
      message: 'must be the ARN of a CodeConnections connection, e.g. '
        + 'arn:aws:codeconnections:us-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
      value: arn,
    }]);
  });

  test.each(['ecr-kms-replication', 'a/b/c', 'https://github.com/o/r'])('repository %s is not owner/name', (repository) => {
    expect(problemLines(() => validateTopology(withChange((t) => { t.pipeline.repository = repository; }))))
      .toEqual(["pipeline.repository: must be 'owner/name' of the Git repository, e.g. my-org/ecr-kms-replication"]);
  });
});

describe('key alias, removal and tags', () => {
  test.each([
    ['ecr', "must be 'alias/' followed by letters, digits, '/', '_' or '-', e.g. alias/ecr-kms-replication"],
    ['alias/my key', "must be 'alias/' followed by letters, digits, '/', '_' or '-', e.g. alias/ecr-kms-replication"],
    ['alias/aws/ecr', "may not start with 'alias/aws/' (reserved for AWS managed keys)"],
  ])('key alias %s is refused', (alias, message) => {
    expect(problemsOf(() => validateTopology(withChange((t) => { t.keyAlias = alias; })))).toEqual([{ path: 'keyAlias', message, value: alias }]);
  });

  test('removal is retain or destroy', () => {
    expect(problemLines(() => validateTopology(withChange((t) => { t.removal = 'delete'; }))))
      .toEqual(['removal: must be one of retain, destroy']);
    expect(validateTopology(withChange((t) => { t.removal = 'destroy'; })).removal).toBe('destroy');
  });

  test('tag values are strings and aws: keys are reserved', () => {
    expect(problemsOf(() => validateTopology(withChange((t) => { t.tags = { 'aws:owner': 'x', 'cost-center': 42 }; })))).toEqual([
      { path: 'tags["aws:owner"]', message: "tag keys may not start with 'aws:' (reserved)", value: 'aws:owner' },
      { path: 'tags.cost-center', message: 'must be a string (quote numbers and true/false)', value: 42 },
    ]);
  });
});

describe('unknown fields', () => {
  test.each([
    [(t: any) => { t.destination = t.destinations; }, 'destination', 'destinations'],
    [(t: any) => { t.destinations[1].keyAdmin = []; }, 'destinations[1].keyAdmin', 'keyAdmins'],
    [(t: any) => { t.pipeline.Branch = 'main'; }, 'pipeline.Branch', 'branch'],
    [(t: any) => { t.repositories[0].scanOnPsuh = true; }, 'repositories[0].scanOnPsuh', 'scanOnPush'],
    [(t: any) => { t.defaults = { lifecycle: { maxImagesCount: 3 } }; }, 'defaults.lifecycle.maxImagesCount', 'maxImageCount'],
  ])('a likely typo gets a hint (%#)', (change, path, hint) => {
    expect(problemLines(() => validateTopology(withChange(change)))).toContain(`${path}: is not a known field; did you mean '${hint}'?`);
  });

  test('a field unlike any known one lists the known fields', () => {
    expect(problemLines(() => validateTopology(withChange((t) => { t.source.owner = 'me'; })))).toEqual([
      'source.owner: is not a known field (known fields here: account, region, keyAdmins, keyUsers)',
    ]);
  });
});

describe('all problems at once', () => {
  test('a file with 3 problems gives 3 lines', () => {
    const text = [
      'source:',
      '  account: 111111111111',
      '  region: us-east-1',
      'destinations:',
      '  - account: "222222222222"',
      '    region: eu-west-1',
      '  - account: "222222222222"',
      '    region: eu-west-1',
      'repositories:',
      '  - name: app',
      'keyAdmin: []',
      'pipeline:',
      '  account: "333333333333"',
      '  region: us-east-1',
      '  connectionArn: arn:aws:codeconnections:us-east-1:333333333333:connection/abc',
      '  repository: o/r',
    ].join('\n');
    const error = topologyError(() => parseTopology(text, 'topology.yaml'));
    expect(error.message.split('\n')).toEqual([
      'topology.yaml is not valid (3 problems):',
      `  - source.account (line 2): ${QUOTE_HINT} (got the number 111111111111; YAML reads unquoted numbers as numbers and drops leading zeros)`,
      '  - destinations[1] (line 7): repeats destinations[0] (account 222222222222, Region eu-west-1); list each destination once',
      "  - keyAdmin (line 11): is not a known field; did you mean 'keyAdmins'?",
    ]);
  });

  test('cross-field rules still run when fields elsewhere are wrong', () => {
    const topology = withChange((t) => {
      t.repositories.push({ name: 'team-a/service' });
      t.pipeline.repository = 'nope';
      t.destinations.push({ account: '111111111111', region: 'us-east-1', extra: 1 });
    });
    expect(problemsOf(() => validateTopology(topology)).map((p) => p.path)).toEqual([
      'destinations[2].extra',
      'pipeline.repository',
      'destinations[2]',
      'repositories[2].name',
    ]);
  });
});
