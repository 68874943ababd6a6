import { CfnResource, IPolicyValidationContext, PolicyValidationPluginReport, PolicyViolation, Stage } from 'aws-cdk-lib';
import { AwsSolutionsChecks, IApplyRule, NagPackProps, NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';

/**
 * AwsSolutions rules that can answer NOT_APPLICABLE for a resource class they
 * otherwise check, depending on its properties. They always run.
 * (A test reads the installed cdk-nag's rule sources to keep this list true.)
 */
export const PROPERTY_DEPENDENT_RULES: ReadonlySet<string> = new Set([
  'APIGWAuthorization',
  'AuroraMySQLPostgresIAMAuth',
  'CognitoUserPoolAPIGWAuthorizer',
  'EC2EBSVolumeEncrypted',
  'LambdaLatestVersion',
]);

/**
 * cdk-nag's AwsSolutions checks, every rule on every resource, without asking
 * a rule again what it already said it does not apply to. Most rules
 * recognise their resource by its class and answer NOT_APPLICABLE for every
 * other one; the first resource of each class runs all of them, and the
 * resources of that class after it run only the rules that applied (plus the
 * few that decide applicability from properties). The findings are the same
 * (a test compares them with the plain checks); at 25,000 repositories this
 * takes the checks from most of the synth time to a small part of it.
 *
 * Each instance checks the scope it was created for and nothing inside a
 * nested Stage: every stage of this project adds its own checks, and without
 * that boundary every stage's checks walked the whole app (27 times the work
 * at 25 destinations).
 */
export class EcrReplicationChecks extends AwsSolutionsChecks {
  private readonly scope?: IConstruct;
  /** For each resource class, the rule calls that can apply to it. */
  private readonly plans = new Map<Function, IApplyRule[]>();
  /** While the first resource of a class is checked: its applicable rule calls. */
  private recording?: IApplyRule[];

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.scope = scope;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    if (!this.scope) {
      return super.validate(context);
    }
    const byRule = new Map<string, PolicyViolation>();
    for (const part of partsOutsideNestedStages(this.scope)) {
      for (const violation of this.validateScope(part).violations) {
        const known = byRule.get(violation.ruleName);
        if (known) {
          known.violatingResources.push(...violation.violatingResources);
        } else {
          byRule.set(violation.ruleName, { ...violation, violatingResources: [...violation.violatingResources] });
        }
      }
    }
    const violations = [...byRule.values()];
    return { success: violations.length === 0, violations };
  }


  protected checkResource(node: CfnResource): void {
    const plan = this.plans.get(node.constructor);
    if (plan) {
      for (const params of plan) {
        super.applyRule({ ...params, node });
      }
      return;
    }
    const recorded: IApplyRule[] = [];
    this.recording = recorded;
    try {
      super.checkResource(node);
    } finally {
      this.recording = undefined;
    }
    this.plans.set(node.constructor, recorded);
  }

  protected applyRule(params: IApplyRule): void {
    // A rule reads every property of the resource, deprecated ones included
    // (EventBusOpenAccess reads CfnEventBusPolicy#principal, which nothing
    // here sets): their deprecation notices would be the rule's, not ours.
    const deprecations = process.env.JSII_DEPRECATED;
    process.env.JSII_DEPRECATED = 'quiet';
    try {
      this.applyRuleQuietly(params);
    } finally {
      if (deprecations === undefined) delete process.env.JSII_DEPRECATED;
      else process.env.JSII_DEPRECATED = deprecations;
    }
  }

  private applyRuleQuietly(params: IApplyRule): void {
    const recording = this.recording;
    if (!recording) {
      super.applyRule(params);
      return;
    }
    const rule = params.rule;
    let notApplicable = false;
    const observed = (node: CfnResource) => {
      const result = rule(node);
      notApplicable = result === NagRuleCompliance.NOT_APPLICABLE;
      return result;
    };
    // The rule's function name is its id in the findings: keep it.
    Object.defineProperty(observed, 'name', { value: rule.name });
    super.applyRule({ ...params, rule: observed });
    if (!notApplicable || PROPERTY_DEPENDENT_RULES.has(rule.name)) {
      recording.push(params);
    }
  }
}

/** The largest subtrees of `scope` that hold no Stage other than `scope` itself. */
function partsOutsideNestedStages(scope: IConstruct): IConstruct[] {
  const holdsStage = (node: IConstruct): boolean =>
    node.node.children.some((child) => Stage.isStage(child) || holdsStage(child));
  const parts: IConstruct[] = [];
  const visit = (node: IConstruct) => {
    if (!holdsStage(node)) {
      parts.push(node);
      return;
    }
    for (const child of node.node.children) {
      if (!Stage.isStage(child)) {
        visit(child);
      }
    }
  };
  visit(scope);
  return parts;
}
