import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildInfra, type Infra, type InfraProps } from '../lib/infra.js';

export type Json = Record<string, unknown>;

export interface Synthesized {
  infra: Infra;
  /** Templates by stack name (one synthesis for the whole app). */
  templates: Record<string, Template>;
}

/** Builds the app and synthesizes it once (built-in validation and guardrails run here too). */
export function synthesizeAll(props: InfraProps = {}): Synthesized {
  const infra = buildInfra(props);
  const templates: Record<string, Template> = {};
  for (const stack of infra.app.node.children) {
    if (stack instanceof Stack) templates[stack.stackName] = Template.fromStack(stack);
  }
  return { infra, templates };
}

export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(element).getLogicalId(element);
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether `value`, read in `stackName`'s template, is a Ref or GetAtt of `construct`, following weak
 * cross-stack references (Fn::GetStackOutput) into the producing stack's outputs and looking into
 * Fn::Join parts (an ARN built from a bucket ARN still points to the bucket).
 */
export function pointsTo(value: unknown, construct: IConstruct, stackName: string, all: Synthesized): boolean {
  const target = logicalId(construct);
  const targetStack = Stack.of(construct).stackName;
  const visit = (v: unknown, where: string): boolean => {
    if (Array.isArray(v)) return v.some((x) => visit(x, where));
    if (!isObject(v)) return false;
    if (typeof v.Ref === 'string') return where === targetStack && v.Ref === target;
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return where === targetStack && getAtt[0] === target;
    const output = v['Fn::GetStackOutput'];
    if (isObject(output)) {
      const producer = String(output.StackName);
      const outputs = (all.templates[producer]?.toJSON().Outputs ?? {}) as Record<string, Json>;
      return visit(outputs[String(output.OutputName)]?.Value, producer);
    }
    const join = v['Fn::Join'];
    if (Array.isArray(join)) return visit(join[1], where);
    return false;
  };
  return visit(value, stackName);
}

export function resourcesOf(template: Template, type: string): [string, Json][] {
  return Object.entries(template.findResources(type)).map(([id, r]) => [id, (r as Json).Properties as Json]);
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Json;
  Sid?: string;
}

/** Every statement of every inline/managed policy attached to the role with this logical id. */
export function roleStatements(template: Template, roleId: string): Statement[] {
  const statements: Statement[] = [];
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [, p] of resourcesOf(template, type)) {
      const roles = (p.Roles ?? []) as Json[];
      if (!roles.some((r) => r.Ref === roleId)) continue;
      statements.push(...((p.PolicyDocument as Json).Statement as Statement[]));
    }
  }
  return statements;
}

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every ingress rule in a template: inline on security groups and standalone resources. */
export function ingressRules(template: Template): { id: string; rule: Json }[] {
  const rules: { id: string; rule: Json }[] = [];
  for (const [id, p] of resourcesOf(template, 'AWS::EC2::SecurityGroup')) {
    for (const rule of (p.SecurityGroupIngress ?? []) as Json[]) rules.push({ id, rule });
  }
  for (const [id, p] of resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')) rules.push({ id, rule: p });
  return rules;
}
